// The editor of "callback in" (bundled into meetingbaas-callback.html by the build).
import { CALLBACK_DEFAULTS, type CallbackMethod } from '../shared/defaults';
import { credentialsOf, escaped, textOf } from '../shared/editor-helpers';
import { nodePath, pathProblem } from '../shared/urls';
import { addDeliveriesSidebar } from './editor-sidebar';

interface CallbackSettings {
  name: string;
  account: string;
  url: string;
  method: CallbackMethod | '';
  maxBodyKB: number | '';
  bodyTimeoutSeconds: number | '';
  dedupeHours: number | '';
  dedupeMax: number | '';
  dedupeMeetingMinutes: number | '';
  store: string;
  strict: boolean;
  journal: boolean;
  maxRedeliveries: number | '';
  catchUp: boolean;
  catchUpMinutes: number | '';
}

/** The settings a flow may leave out, whose inputs show the runtime's default when blank. */
const DEFAULTED = ['method', 'maxBodyKB', 'bodyTimeoutSeconds', 'dedupeHours', 'dedupeMax', 'dedupeMeetingMinutes', 'maxRedeliveries', 'catchUpMinutes', 'store'] as const;

const OUTPUTS = ['completed', 'failed', 'other', 'invalid'] as const;

/** What the runtime's test delivery route answers (test-delivery.ts), read tolerantly. */
interface TestAnswer {
  readonly status?: unknown;
  readonly via?: unknown;
  readonly event?: unknown;
  readonly url?: unknown;
  readonly auth?: unknown;
  readonly error?: unknown;
  readonly detail?: unknown;
}

/** The address this Node-RED serves the path at, as the browser reaches it. */
function fullUrl(path: unknown): string {
  return window.location.origin + nodePath(RED.settings.httpNodeRoot, path);
}

const validPath = (value: unknown): boolean => pathProblem(typeof value === 'string' ? value.trim() : '') === null;

function blankOrNonNegativeNumber(value: unknown): boolean {
  return value === undefined || value === '' || (!isNaN(Number(value)) && Number(value) >= 0);
}

/**
 * Whether the account has a secret. The editor only has an account's credentials once its dialog was
 * opened; otherwise ask the runtime, which answers has_<name> flags for password fields and never the
 * secrets themselves.
 */
function withAccountSecretState(accountId: unknown, callback: (hasSecret: boolean) => void): void {
  const account = typeof accountId === 'string' && accountId !== '' ? RED.nodes.node(accountId) : null;
  if (!account) return callback(false);
  const credentials = credentialsOf(account);
  if (credentials.callbackSecret || credentials.webhookSecret) return callback(true);
  $.getJSON(`credentials/meetingbaas-config/${encodeURIComponent(account.id)}`)
    .done((flags: { readonly has_callbackSecret?: unknown; readonly has_webhookSecret?: unknown }) => {
      callback(Boolean(flags.has_callbackSecret || flags.has_webhookSecret));
    })
    .fail(() => {
      callback(false);
    });
}

/**
 * Asks the runtime to send a simulated delivery, signed with the account's secret, to the deployed
 * node's own URL; the secret stays in the runtime.
 */
function sendTestDelivery(node: EditorNodeInstance<CallbackSettings>, kind: string): void {
  $.ajax({
    url: `meetingbaas-callback/${encodeURIComponent(node.id)}/test`,
    type: 'POST',
    contentType: 'application/json',
    data: JSON.stringify({ kind }),
  })
    .done((result: TestAnswer) => {
      const status = typeof result.status === 'number' ? result.status : 0;
      const accepted = status >= 200 && status < 300;
      // In process, the delivery went past httpNodeAuth, which Meeting BaaS must pass itself: say what was not tested.
      const inProcess = result.via === 'in-process';
      const key = inProcess ? 'handedOver' : accepted ? 'sent' : 'refused';
      const text = node._(`meetingbaas-callback.test.${key}`, {
        event: textOf(result.event),
        url: escaped(textOf(result.url)),
        status,
        auth: node._(`meetingbaas-callback.test.auth.${textOf(result.auth)}`),
      });
      RED.notify(text, { type: accepted ? 'success' : 'warning', timeout: accepted && !inProcess ? 4000 : 10000 });
    })
    .fail((jqXHR) => {
      const json: unknown = jqXHR.responseJSON;
      const answer: TestAnswer = typeof json === 'object' && json !== null ? json : {};
      let text: string;
      if (answer.error === 'not-deployed') text = node._('meetingbaas-callback.test.notDeployed');
      else if (answer.error === 'unreachable') text = node._('meetingbaas-callback.test.unreachable', { detail: escaped(textOf(answer.detail)) });
      else text = node._('meetingbaas-callback.test.failed', { status: jqXHR.status });
      RED.notify(text, { type: 'error', timeout: 10000 });
    });
}

RED.nodes.registerType<CallbackSettings>('meetingbaas-callback', {
  category: 'Meeting BaaS',
  color: '#C7E9C0',
  defaults: {
    name: { value: '' },
    account: { value: '', type: 'meetingbaas-config', required: false },
    url: {
      value: CALLBACK_DEFAULTS.url,
      required: true,
      // Two parameters: the editor then takes a returned string as "invalid, for this reason" and
      // shows it beside the field; the runtime refuses the same paths at deploy.
      validate: function (value, _options) {
        return validPath(value) || (this._?.('meetingbaas-callback.editor.badPath') ?? false);
      },
    },
    method: { value: CALLBACK_DEFAULTS.method },
    maxBodyKB: { value: CALLBACK_DEFAULTS.maxBodyKB, validate: blankOrNonNegativeNumber },
    bodyTimeoutSeconds: { value: CALLBACK_DEFAULTS.bodyTimeoutSeconds, validate: blankOrNonNegativeNumber },
    dedupeHours: { value: CALLBACK_DEFAULTS.dedupeHours, validate: blankOrNonNegativeNumber },
    dedupeMax: { value: CALLBACK_DEFAULTS.dedupeMax, validate: blankOrNonNegativeNumber },
    dedupeMeetingMinutes: { value: CALLBACK_DEFAULTS.dedupeMeetingMinutes, validate: blankOrNonNegativeNumber },
    store: { value: CALLBACK_DEFAULTS.store },
    strict: { value: CALLBACK_DEFAULTS.strict },
    journal: { value: CALLBACK_DEFAULTS.journal },
    maxRedeliveries: { value: CALLBACK_DEFAULTS.maxRedeliveries, validate: blankOrNonNegativeNumber },
    catchUp: { value: CALLBACK_DEFAULTS.catchUp },
    catchUpMinutes: { value: CALLBACK_DEFAULTS.catchUpMinutes, validate: blankOrNonNegativeNumber },
  },
  inputs: 0,
  outputs: 4,
  icon: 'meetingbaas-callback.svg',
  paletteLabel: function () {
    return this._('meetingbaas-callback.paletteLabel');
  },
  outputLabels: function (index) {
    return this._(`meetingbaas-callback.outputs.${OUTPUTS[index] ?? OUTPUTS[0]}`);
  },
  label: function () {
    const method = this.method === 'any' ? 'post|put' : this.method || CALLBACK_DEFAULTS.method;
    return this.name || `[${method}] ${this.url || ''}`;
  },
  button: {
    visible: function () {
      return !this.changed;
    },
    onclick: function () {
      sendTestDelivery(this, 'completed');
    },
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
  oneditprepare: function () {
    const node = this;
    for (const property of DEFAULTED) {
      if (node[property] === undefined || node[property] === '') $(`#node-input-${property}`).val(CALLBACK_DEFAULTS[property]);
    }
    // Flows from before the journal existed leave it out, and the runtime then keeps one.
    if (node.journal === undefined) $('#node-input-journal').prop('checked', CALLBACK_DEFAULTS.journal);
    // How often to look only matters when the node looks at all.
    $('#node-input-catchUp')
      .on('change', function () {
        $('.node-input-catchUp-row').toggle($(this).prop('checked') === true);
      })
      .trigger('change');
    const configured = RED.settings.context?.stores;
    const stores = Array.isArray(configured) ? configured.filter((name): name is string => typeof name === 'string') : [CALLBACK_DEFAULTS.store];
    const $store = $('#node-input-store');
    for (const name of stores) $('<option>').val(name).text(name).appendTo($store);
    if (node.store && !stores.includes(node.store)) $('<option>').val(node.store).text(node.store).appendTo($store);
    $store.val(node.store || CALLBACK_DEFAULTS.store);

    const refresh = (): void => {
      const path = $('#node-input-url').val();
      $('#meetingbaas-callback-full-url').text(fullUrl(path));
      $('#meetingbaas-callback-bad-path').toggle(!validPath(path));
      const accountId = $('#node-input-account').val();
      withAccountSecretState(accountId, (hasSecret) => {
        if ($('#node-input-account').val() === accountId) $('#meetingbaas-callback-no-secret').toggle(!hasSecret);
      });
    };
    $('#node-input-url').on('input change', refresh);
    $('#node-input-account').on('change', refresh);
    $('#meetingbaas-callback-copy').on('click', function (event) {
      event.preventDefault();
      RED.clipboard.copyText($('#meetingbaas-callback-full-url').text(), $(this), 'clipboard.copyMessageValue');
    });
    $('#meetingbaas-callback-test').on('click', (event) => {
      event.preventDefault();
      sendTestDelivery(node, String($('#meetingbaas-callback-test-kind').val()));
    });
    $('#meetingbaas-callback-show-deliveries').on('click', (event) => {
      event.preventDefault();
      RED.actions.invoke('meetingbaas:show-deliveries', node.id);
    });
    refresh();
  },
});

// The sidebar translates with the catalogue of the type registered above.
addDeliveriesSidebar();
