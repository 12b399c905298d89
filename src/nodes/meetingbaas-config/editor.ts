// The editor of "Meeting BaaS account" (bundled into meetingbaas-config.html by the build).
import { ACCOUNT_DEFAULTS } from '../shared/defaults';
import { escaped, textOf } from '../shared/editor-helpers';

interface AccountSettings {
  name: string;
  baseUrl: string;
  publicUrl: string;
  redisUrl: string;
  redisPrefix: string;
}

/** What the runtime's key test answers (test-key.ts), read tolerantly. */
interface KeyTestAnswer {
  readonly result?: unknown;
  readonly origin?: unknown;
  readonly status?: unknown;
  readonly detail?: unknown;
}

RED.nodes.registerType<AccountSettings>('meetingbaas-config', {
  category: 'config',
  defaults: {
    name: { value: '' },
    baseUrl: {
      value: ACCOUNT_DEFAULTS.baseUrl,
      // Blank means the default, as in the runtime.
      validate: (value) => !value || (typeof value === 'string' && /^https?:\/\/[^\s/]+/.test(value)),
    },
    publicUrl: {
      value: ACCOUNT_DEFAULTS.publicUrl,
      validate: (value) => !value || (typeof value === 'string' && /^https?:\/\/[^\s/]+[^\s]*$/.test(value)),
    },
    redisUrl: {
      value: ACCOUNT_DEFAULTS.redisUrl,
      // redis:// or rediss:// (TLS). A password belongs in its credential field: the URL is shown in the editor and exported with the flow.
      validate: (value) =>
        !value || (typeof value === 'string' && /^rediss?:\/\/[^\s/]+[^\s]*$/.test(value) && !/^rediss?:\/\/[^\s/@]*:[^\s/@]*@/.test(value)),
    },
    redisPrefix: { value: ACCOUNT_DEFAULTS.redisPrefix },
  },
  credentials: {
    apiKey: { type: 'password' },
    callbackSecret: { type: 'password' },
    webhookSecret: { type: 'password' },
    redisPassword: { type: 'password' },
  },
  label: function () {
    return this.name || this._('meetingbaas-config.placeholder.name');
  },
  oneditprepare: function () {
    const node = this;
    // Tests the key with one API request made by the runtime. A key just typed is sent over
    // the admin API (as core nodes do for their connection tests); an unchanged one stays there.
    $('#meetingbaas-config-test-key').on('click', function (event) {
      event.preventDefault();
      const $button = $(this).prop('disabled', true);
      $.ajax({
        url: 'meetingbaas-config/test-key',
        type: 'POST',
        contentType: 'application/json',
        data: JSON.stringify({
          id: node.id,
          baseUrl: $('#node-config-input-baseUrl').val(),
          apiKey: $('#node-config-input-apiKey').val(),
        }),
      })
        .done((answer: KeyTestAnswer) => {
          const ok = answer.result === 'ok';
          const text = node._(`meetingbaas-config.testKey.${textOf(answer.result)}`, {
            origin: escaped(textOf(answer.origin)),
            status: textOf(answer.status),
            detail: escaped(textOf(answer.detail)),
          });
          RED.notify(text, { type: ok ? 'success' : 'warning', timeout: ok ? 4000 : 10000 });
        })
        .fail((jqXHR) => {
          RED.notify(node._('meetingbaas-config.testKey.failed', { status: jqXHR.status }), { type: 'error' });
        })
        .always(() => {
          $button.prop('disabled', false);
        });
    });
  },
});
