// The "Meeting BaaS" sidebar: the recent deliveries of every callback node, from their journals
// through the runtime's admin routes (read to see, write to act), updated live over RED.comms.
// Bundled with the callback node's editor (editor.ts), which adds it once the type is registered.
import { ARTIFACT_FIELDS } from '../../lib/artifacts/names';
import { CALLBACK_TYPE } from '../shared/defaults';
import {
  DEFAULT_PAGE,
  MAX_PAGE,
  STATE_FILTERS,
  TOPIC,
  type ActionAnswer,
  type DeliveriesPage,
  type DeliveryDetail,
  type DeliveryRow,
  type NodeSummary,
  type SavedFile,
} from './sidebar-contract';

const EVENTS = ['bot.completed', 'bot.failed', 'bot.status_change'] as const;
const OUTPUTS = ['completed', 'failed', 'other', 'invalid'] as const;
const SIZE_UNITS = ['b', 'kb', 'mb', 'gb', 'tb'] as const;

export function addDeliveriesSidebar(): void {
  const type = RED.nodes.getType(CALLBACK_TYPE);
  const translate = (key: string, vars?: Readonly<Record<string, string | number>>): string => type?._(key, vars) ?? key;
  const t = (key: string, vars?: Readonly<Record<string, string | number>>): string => translate(`meetingbaas-callback.sidebar.${key}`, vars);
  const text = (value: string): JQuery => $('<span>').text(value);

  const state = {
    node: '',
    state: '',
    event: '',
    q: '',
    rows: [] as readonly DeliveryRow[],
    next: null as string | null,
    nodes: [] as NodeSummary[],
    open: null as DeliveryRow | null,
  };
  const $content = $('<div class="meetingbaas-sidebar"></div>');
  const $filters = $('<div class="meetingbaas-sidebar-filters"></div>').appendTo($content);
  const $node = $('<select id="meetingbaas-sidebar-node"></select>').appendTo($filters);
  const $state = $('<select id="meetingbaas-sidebar-state"></select>').appendTo($filters);
  const $event = $('<select id="meetingbaas-sidebar-event"></select>').appendTo($filters);
  const $search = $('<input type="text" id="meetingbaas-sidebar-search">').attr('placeholder', t('search')).appendTo($filters);
  const $counts = $('<div class="meetingbaas-sidebar-counts"></div>').appendTo($content);
  const $body = $('<div class="meetingbaas-sidebar-body"></div>').appendTo($content);
  const $list = $('<div class="meetingbaas-sidebar-list"></div>').appendTo($body);
  const $more = $('<div class="meetingbaas-sidebar-more"></div>').appendTo($body);
  const $detail = $('<div class="meetingbaas-delivery-detail"></div>').hide().appendTo($body);

  $('<option value="">').text(t('allStates')).appendTo($state);
  for (const name of STATE_FILTERS) $('<option>').val(name).text(t(`state.${name}`)).appendTo($state);
  $('<option value="">').text(t('allEvents')).appendTo($event);
  for (const name of EVENTS) $('<option>').val(name).text(name).appendTo($event);

  const valueOf = ($element: JQuery): string => {
    const value = $element.val();
    return typeof value === 'string' ? value : '';
  };

  function plainLabel(id: string): string {
    const node = RED.nodes.node(id);
    if (node) return RED.utils.getNodeLabel(node, id);
    return state.nodes.find((known) => known.id === id)?.label ?? id;
  }
  /** Its label, with its path when another callback node has the same label (the examples are all "Meeting BaaS callback"). */
  function nodeLabel(id: string): string {
    const label = plainLabel(id);
    const path = RED.nodes.node(id)?.url;
    const shared = state.nodes.some((known) => known.id !== id && plainLabel(known.id) === label);
    return shared && typeof path === 'string' && path !== '' ? t('nodeWithPath', { label, path }) : label;
  }
  function fillNodes(): void {
    const current = state.node;
    $node.empty();
    $('<option value="">').text(t('allNodes')).appendTo($node);
    for (const known of state.nodes) $('<option>').val(known.id).text(nodeLabel(known.id)).appendTo($node);
    if (current && !state.nodes.some((known) => known.id === current)) $('<option>').val(current).text(nodeLabel(current)).appendTo($node);
    $node.val(current);
  }
  function showCounts(): void {
    $counts.empty();
    for (const known of state.nodes.filter((candidate) => !state.node || candidate.id === state.node)) {
      const counts = t('counts', { node: nodeLabel(known.id), rejected: known.rejected, repeats: known.repeats });
      $('<div>').text(counts + (known.journal ? '' : ` · ${t('noJournal')}`)).appendTo($counts);
    }
  }
  function query(cursor: string | null, limit: number): string {
    const params: Record<string, string | number> = { limit };
    if (state.node) params.node = state.node;
    if (state.state) params.state = state.state;
    if (state.event) params.event = state.event;
    if (state.q) params.q = state.q;
    if (cursor) params.cursor = cursor;
    return `meetingbaas/deliveries?${$.param(params)}`;
  }
  /** What a failed request tells the user; `key` words the failure (loading the list by default). */
  function failed(jqXHR: JQuery.jqXHR, key = 'failed', params: Record<string, string> = {}): string {
    if (jqXHR.status === 401 || jqXHR.status === 403) return t('forbidden');
    return t(key, { ...params, status: jqXHR.status });
  }
  const deliveryUrl = (row: DeliveryRow): string => `meetingbaas/deliveries/${encodeURIComponent(row.node)}/${row.seq}`;

  function copyButton(value: string, title: string = t('copyBotId')): JQuery {
    return $('<button class="red-ui-button red-ui-button-small"><i class="fa fa-copy"></i></button>')
      .attr('title', title)
      .on('click', function (event) {
        event.stopPropagation();
        RED.clipboard.copyText(value, $(this), 'clipboard.copyMessageValue');
      });
  }
  function stateText(row: DeliveryRow): string {
    let words = row.state === 'sent-again' ? t('state.sent-again-n', { count: row.attempts }) : t(`state.${row.state}`);
    if (row.state !== 'sent-again' && row.attempts > 0) words += ` · ${t('state.sent-again-n', { count: row.attempts })}`;
    return row.recovered ? `${words} · ${t('state.recovered')}` : words;
  }
  function problemText(row: DeliveryRow): string {
    const key = row.state === 'parked' ? 'parkedBecause' : row.state === 'failed' ? 'failedBecause' : 'lastProblem';
    return t(key, { problem: row.problem ?? '' });
  }
  function extraText(extra: Readonly<Record<string, unknown>>): string {
    return Object.entries(extra)
      .map(([key, value]) => `${key}=${value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
      .join(', ');
  }
  function rowElement(row: DeliveryRow): JQuery {
    const $row = $('<div class="meetingbaas-delivery">').attr('data-node', row.node).attr('data-seq', row.seq).attr('data-state', row.state);
    if (row.state === 'parked') $row.addClass('meetingbaas-delivery-parked');
    const $head = $('<div class="meetingbaas-delivery-head">').appendTo($row);
    $('<span class="meetingbaas-delivery-time">').text(new Date(row.receivedAt).toLocaleString()).appendTo($head);
    $('<span class="meetingbaas-delivery-event">').text(row.event || t('noEvent')).appendTo($head);
    $('<span class="meetingbaas-delivery-state">').addClass(`meetingbaas-state-${row.state}`).text(stateText(row)).appendTo($head);
    const $facts = $('<div class="meetingbaas-delivery-facts">').appendTo($row);
    if (row.botId) {
      $('<code class="meetingbaas-delivery-bot">').attr('title', row.botId).text(row.botId.slice(0, 8)).appendTo($facts);
      copyButton(row.botId).appendTo($facts);
    }
    const output = row.output === null ? undefined : OUTPUTS[row.output];
    const facts = [
      t(`verified.${row.verifiedBy}`),
      row.output === null || output === undefined
        ? t('outputUnknown')
        : t('output', { n: row.output + 1, name: translate(`meetingbaas-callback.outputs.${output}`) }),
    ];
    if (!state.node) facts.push(nodeLabel(row.node));
    text(` ${facts.join(' · ')}`).appendTo($facts);
    if (row.extra) $('<div class="meetingbaas-delivery-extra">').text(`${t('extra')} ${extraText(row.extra)}`).appendTo($row);
    if ((row.state === 'parked' || row.state === 'failed') && row.problem) $('<div class="meetingbaas-delivery-problem">').text(problemText(row)).appendTo($row);
    $row.on('click', () => openDelivery(row));
    return $row;
  }
  function render(): void {
    $list.empty();
    if (state.rows.length === 0) $('<div class="red-ui-search-empty" style="padding: 10px">').text(t('empty')).appendTo($list);
    for (const row of state.rows) $list.append(rowElement(row));
    $more.empty();
    const next = state.next;
    if (next) {
      $('<button class="red-ui-button" id="meetingbaas-sidebar-more">')
        .text(t('more'))
        .on('click', () => load(next))
        .appendTo($more);
    }
  }
  let loading: JQuery.jqXHR | null = null;
  /** The first page (again), or the page after `cursor`; `keep`: as many rows as are shown, for a live update. */
  function load(cursor: string | null, keep = false): void {
    if (loading) loading.abort();
    const limit = keep ? Math.min(MAX_PAGE, Math.max(DEFAULT_PAGE, state.rows.length)) : DEFAULT_PAGE;
    const request: JQuery.jqXHR = $.getJSON(query(cursor, limit));
    loading = request;
    request
      .done((answer: DeliveriesPage) => {
        state.nodes = [...answer.nodes];
        state.rows = cursor ? [...state.rows, ...answer.rows] : answer.rows;
        state.next = answer.next;
        fillNodes();
        showCounts();
        render();
      })
      .fail((jqXHR) => {
        if (jqXHR.statusText === 'abort') return;
        state.rows = [];
        state.next = null;
        $list.empty().append($('<div class="red-ui-search-empty" style="padding: 10px">').text(failed(jqXHR)));
        $more.empty();
      })
      .always(() => {
        if (loading === request) loading = null;
      });
  }

  function act(row: DeliveryRow, action: string, label: string, done: (answer: ActionAnswer) => void): void {
    $.ajax({ url: `${deliveryUrl(row)}/${action}`, type: 'POST', contentType: 'application/json', data: '{}' })
      .done((answer: ActionAnswer) => done(answer))
      .fail((jqXHR) => {
        const json: unknown = jqXHR.responseJSON;
        const error = typeof json === 'object' && json !== null && 'error' in json ? json.error : undefined;
        // The server words what the API client said (the sentences live in the runtime's catalog).
        const detail = typeof json === 'object' && json !== null && 'detail' in json && typeof json.detail === 'string' ? json.detail : undefined;
        const message = error === 'no-api-key' ? t('noApiKey') : error === 'api-failed' && detail !== undefined ? t('apiFailed', { detail }) : failed(jqXHR, 'actionFailed', { action: label });
        RED.notify(message, { type: 'error', timeout: 6000 });
      });
  }
  const button = (id: string, icon: string, label: string): JQuery =>
    $(`<button class="red-ui-button" id="${id}"><i class="fa ${icon}"></i> </button>`).append(text(label));

  function openDelivery(row: DeliveryRow): void {
    state.open = row;
    $list.hide();
    $more.hide();
    $detail.empty().show();
    $('<button class="red-ui-button red-ui-button-small" id="meetingbaas-sidebar-back"><i class="fa fa-arrow-left"></i> </button>')
      .append(text(t('back')))
      .on('click', closeDelivery)
      .appendTo($detail);
    let $summary = rowElement(row).off('click').css('cursor', 'default').appendTo($detail);
    const showRow = (updated: DeliveryRow | undefined): void => {
      if (!updated) return;
      const $updated = rowElement(updated).off('click');
      $summary.replaceWith($updated);
      $summary = $updated;
    };
    const $actions = $('<div class="meetingbaas-delivery-actions">').appendTo($detail);
    button('meetingbaas-sidebar-send-again', 'fa-repeat', t('sendAgain'))
      .on('click', () => {
        act(row, 'send-again', t('sendAgain'), (answer) => {
          RED.notify(t('sentAgain', { event: row.event || '?' }), { type: 'success', timeout: 3000 });
          showRow(answer.row);
        });
      })
      .appendTo($actions);
    button('meetingbaas-sidebar-finish', 'fa-check', t('markFinished'))
      .on('click', () => act(row, 'finish', t('markFinished'), (answer) => showRow(answer.row)))
      .appendTo($actions);
    const source = state.nodes.find((known) => known.id === row.node);
    if (row.botId && source?.api) {
      button('meetingbaas-sidebar-fresh-links', 'fa-link', t('freshLinks'))
        .on('click', () => {
          act(row, 'fresh-links', t('freshLinks'), (answer) => {
            $detail.children('.meetingbaas-delivery-fresh').remove();
            freshLinksElement(answer.links).insertAfter($actions);
          });
        })
        .appendTo($actions);
    }
    if (row.problem) $('<div class="meetingbaas-delivery-problem">').text(problemText(row)).appendTo($detail);
    const $saved = $('<div class="meetingbaas-delivery-saved">').appendTo($detail);
    const $payload = $('<div>').text(t('loading')).appendTo($detail);
    $.getJSON(deliveryUrl(row))
      .done((answer: DeliveryDetail) => {
        $payload.empty();
        showSaved($saved, answer.saved ?? [], answer.row);
        if (answer.errors.length > 0) {
          $('<div class="meetingbaas-delivery-problem">').text(t('errors')).appendTo($payload);
          const $errors = $('<ul class="meetingbaas-delivery-errors">').appendTo($payload);
          for (const error of answer.errors) $('<li>').text(error).appendTo($errors);
        }
        $('<div>').text(t('payload')).appendTo($payload);
        $('<pre class="meetingbaas-delivery-payload">').text(answer.payload).appendTo($payload);
      })
      .fail((jqXHR) => {
        $payload.text(failed(jqXHR, 'deliveryFailed'));
      });
  }
  // What fetch artifacts saved of the opened delivery: file name, size, and the path to copy.
  function humanSize(bytes: number): string {
    let size = bytes;
    let unit = 0;
    while (size >= 1024 && unit < SIZE_UNITS.length - 1) {
      size /= 1024;
      unit += 1;
    }
    return t(`size.${SIZE_UNITS[unit] ?? 'b'}`, { n: unit === 0 ? size : size.toFixed(size < 10 ? 1 : 0) });
  }
  function savedFileElement(file: SavedFile): JQuery {
    const $file = $('<li class="meetingbaas-delivery-saved-file">');
    const name = file.path ? (file.path.split(/[\\/]/).pop() ?? file.path) : file.artifact;
    $('<span class="meetingbaas-delivery-saved-name">').text(name).appendTo($file);
    // Kept in a message, the artifact is its own name: said once.
    const size = file.path ? t('saved.size', { artifact: file.artifact, size: humanSize(file.bytes) }) : humanSize(file.bytes);
    text(` · ${size}`).appendTo($file);
    const $where = $('<div class="meetingbaas-delivery-saved-path">').appendTo($file);
    if (file.path) {
      $('<code>').text(file.path).appendTo($where);
      copyButton(file.path, t('saved.copyPath')).appendTo($where);
    } else {
      $where.text(t('saved.inMessage'));
    }
    return $file;
  }
  function showSaved($saved: JQuery, saved: readonly SavedFile[], row: DeliveryRow): void {
    $saved.empty();
    if (saved.length === 0 && row.event !== 'bot.completed') return;
    $('<div>').text(t('saved.title')).appendTo($saved);
    if (saved.length === 0) {
      $('<div class="meetingbaas-delivery-facts">')
        .text(t(row.state === 'finished' ? 'saved.none' : 'saved.notYet'))
        .appendTo($saved);
      return;
    }
    const $files = $('<ul class="meetingbaas-delivery-saved-files">').appendTo($saved);
    for (const file of saved) $files.append(savedFileElement(file));
  }
  /** The artifact links of the API's answer (signatures hidden by the runtime), the rest of the bot left out. */
  function freshLinksElement(links: unknown): JQuery {
    const $fresh = $('<div class="meetingbaas-delivery-fresh">');
    $('<div>').text(t('freshLinksTitle')).appendTo($fresh);
    const shown: Record<string, string> = {};
    if (typeof links === 'object' && links !== null) {
      for (const name of ARTIFACT_FIELDS) {
        const link: unknown = Reflect.get(links, name);
        if (typeof link === 'string') shown[name] = link;
      }
    }
    if (Object.keys(shown).length === 0) return $fresh.append($('<div class="meetingbaas-delivery-facts">').text(t('noFreshLinks')));
    return $fresh.append($('<pre class="meetingbaas-delivery-links">').text(JSON.stringify(shown, null, 2)));
  }
  /** A live update while a delivery is open: its state and saved files again, the payload left as it is. */
  function refreshOpen(row: DeliveryRow): void {
    $.getJSON(deliveryUrl(row)).done((answer: DeliveryDetail) => {
      if (state.open !== row) return;
      $detail.children('.meetingbaas-delivery').first().replaceWith(rowElement(answer.row).off('click').css('cursor', 'default'));
      showSaved($detail.children('.meetingbaas-delivery-saved'), answer.saved ?? [], answer.row);
    });
  }

  function closeDelivery(): void {
    state.open = null;
    $detail.hide().empty();
    $list.show();
    $more.show();
    load(null, true);
  }

  function filtersChanged(): void {
    state.node = valueOf($node);
    state.state = valueOf($state);
    state.event = valueOf($event);
    state.q = valueOf($search).trim();
    if (state.open) closeDelivery();
    else load(null);
  }
  $node.on('change', filtersChanged);
  $state.on('change', filtersChanged);
  $event.on('change', filtersChanged);
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  $search.on('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(filtersChanged, 300);
  });

  let liveTimer: ReturnType<typeof setTimeout> | null = null;
  function onChange(): void {
    if (!$content.is(':visible') || liveTimer) return;
    liveTimer = setTimeout(() => {
      liveTimer = null;
      if (state.open) refreshOpen(state.open);
      else load(null, true);
    }, 300);
  }

  RED.sidebar.addTab({
    id: 'meetingbaas',
    label: t('label'),
    name: t('name'),
    iconClass: 'fa fa-video-camera',
    content: $content,
    enableOnEdit: true,
    onchange: () => {
      if (!state.open) load(null, true);
    },
  });
  RED.comms.subscribe(TOPIC, onChange);

  function showDeliveriesOf(nodeId: unknown): void {
    RED.sidebar.show('meetingbaas');
    state.node = typeof nodeId === 'string' ? nodeId : '';
    const node = state.node;
    if (node && !state.nodes.some((known) => known.id === node)) state.nodes.push({ id: node, label: node, rejected: 0, repeats: 0, journal: true, api: false });
    fillNodes();
    if (state.open) closeDelivery();
    else load(null);
  }
  RED.actions.add('meetingbaas:show-deliveries', showDeliveriesOf);
  // A click on the status of a callback node in the workspace opens its deliveries. The workspace
  // is drawn with d3, which keeps each node's data on its element as __data__.
  $(document).on('click', '.red-ui-flow-node-status-group', function (this: Element) {
    const parent: unknown = this.parentNode;
    const data: unknown = typeof parent === 'object' && parent !== null && '__data__' in parent ? parent.__data__ : undefined;
    if (typeof data === 'object' && data !== null && 'type' in data && data.type === CALLBACK_TYPE && 'id' in data) showDeliveriesOf(data.id);
  });
}
