// "meeting bot": every operation of the Meeting BaaS v2 bot API a flow needs, one action per node,
// from the operations table (src/lib/api/operations.ts): send a bot to a meeting (now or
// scheduled) with its callback wired to a "callback in" node of this Node-RED, list bots, ask about
// one, act on it during and after its meeting, manage scheduled bots. API errors reach Catch nodes
// as plain sentences.
import { setMaxListeners } from 'node:events';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import {
  ApiError,
  isAction,
  isBlankSetting,
  isPagedAction,
  MeetingBaasApi,
  OPERATIONS,
  queryValuesOf,
  retriedFailures,
  retryCountOf,
  RETRY_COUNT,
  type Action,
  type OperationRequest,
  type PagedAction,
  type RetryNotice,
} from '../../lib/api';
import { accountMissing, readAccount } from '../shared/account';
import { BOT_DEFAULTS } from '../shared/defaults';
import { apiDetail, sayApiProblemWith } from '../shared/problems';
import { MAX_PAGES_LIMIT, traitsOf } from './actions';
import { botIdOf, buildCreateRequest, explicitBotIdOf, inputFields, RECORDING_MODES, withoutSecrets } from './bot-request';
import { resolveCallbackTarget, type CallbackTarget } from './callback-target';

interface BotDef extends NodeDef {
  account?: string;
  action?: string;
  callback?: string;
  meetingUrl?: string;
  meetingUrlType?: string;
  botName?: string;
  botNameType?: string;
  recordingMode?: string;
  transcription?: boolean | string;
  retries?: number | string;
  /** Paged actions: `each` sends one message per page, `all` one message with every page. */
  pages?: string;
  maxPages?: number | string;
}

/** What one message out of the node carries. */
interface Outcome {
  readonly payload: unknown;
  readonly info: Record<string, unknown>;
  readonly statusText: string;
}

/** The sentences for a request that may have been carried out though it failed (see mayHaveActed). */
const ONCE_KEYS = {
  create: { server: 'api.server-once-create', network: 'api.network-once-create' },
  'schedule-create': { server: 'api.server-once-schedule-create', network: 'api.network-once-schedule-create' },
  other: { server: 'api.server-once', network: 'api.network-once' },
} as const;

/** A problem with the message or the node's settings, said before any request (no HTTP status). */
class SettingError extends Error {}

export = (RED: NodeAPI): void => {
  function MeetingBaasBot(this: Node, def: BotDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, vars?: Record<string, string | number>): string => RED._(`meetingbaas-bot.${key}`, vars);
    const sayApiProblem = sayApiProblemWith(RED);

    // A flow without the property predates it: create. Any other value (a typo, a flow from a newer
    // version) is refused, never taken for another action.
    const unknownAction = def.action !== undefined && def.action !== '' && !isAction(def.action) ? String(def.action) : null;
    const action: Action = isAction(def.action) ? def.action : 'create';
    const traits = traitsOf(action);
    const callbackId = def.callback?.trim() || '';
    const recordingMode = RECORDING_MODES.find((mode) => mode === def.recordingMode) ?? '';
    const transcription = def.transcription === true || def.transcription === 'true';
    const retries = retryCountOf(def.retries) ?? BOT_DEFAULTS.retries;
    // Only a flow not made in the editor (imported, hand-written) holds another value: said, not silently replaced.
    if (!isBlankSetting(def.retries) && retryCountOf(def.retries) === null) {
      node.warn(t('warnings.badRetries', { value: String(def.retries), max: RETRY_COUNT.max, retries }));
    }
    const eachPage = def.pages === 'each';
    const maxPagesSetting = Number(def.maxPages);
    const maxPages = Number.isInteger(maxPagesSetting) && maxPagesSetting >= 1 ? Math.min(maxPagesSetting, MAX_PAGES_LIMIT) : BOT_DEFAULTS.maxPages;

    const account = readAccount(RED, def.account);
    const closing = new AbortController();
    setMaxListeners(1000, closing.signal);

    const onRetry = (notice: RetryNotice): void => {
      const why = notice.statusCode !== undefined ? `HTTP ${notice.statusCode}` : (notice.code ?? '');
      node.status({ fill: 'yellow', shape: 'ring', text: t('status.retrying', { why, seconds: Math.ceil(notice.waitMs / 1000) }) });
    };

    let api: MeetingBaasApi | null = null;
    let setupError: string | null = null;
    if (unknownAction !== null) {
      setupError = t('errors.unknownAction', { action: unknownAction });
      node.error(setupError);
    } else if (!def.account || accountMissing(RED, def.account)) {
      setupError = t('errors.noAccount');
    } else {
      try {
        api = new MeetingBaasApi({ baseUrl: account.baseUrl, apiKey: account.credentials.apiKey, retries, onRetry });
      } catch (error) {
        setupError = describe(error);
      }
    }
    if (unknownAction !== null) node.status({ fill: 'red', shape: 'ring', text: t('status.unknownAction') });
    else if (setupError) node.status({ fill: 'red', shape: 'ring', text: t('status.setup') });
    else node.status({});

    function describe(error: unknown): string {
      if (!(error instanceof ApiError)) return t('errors.unexpected', { detail: String(error) });
      const vars = {
        status: error.statusCode ?? '',
        wait: error.retryAfterSeconds ?? '?',
        detail: apiDetail(sayApiProblem, error),
        operation: sayApiProblem.operation(error.operation),
      };
      let key = `api.${error.kind}`;
      if (error.kind === 'conflict') key = `api.conflict-${action}`;
      if (mayHaveActed(error)) key = ONCE_KEYS[action === 'create' || action === 'schedule-create' ? action : 'other'][error.kind === 'network' ? 'network' : 'server'];
      if (error.kind === 'not-found' && traits.group === 'scheduled') key = 'api.not-found-scheduled';
      let text = t(key, vars);
      if (error.kind === 'rate-limited' && error.retryAfterSeconds === undefined) text = t('api.rate-limited-no-wait', vars);
      if (error.statusCode !== undefined && vars.detail && !text.includes(vars.detail)) text += ` ${t('api.said', vars)}`;
      return text;
    }

    /**
     * A request not safe to repeat that failed after it may have been carried out (a 502 from a
     * gateway, a connection broken after sending): it was not sent again, and the user is told
     * to look before sending it again.
     */
    function mayHaveActed(error: ApiError): boolean {
      if (OPERATIONS[action].repeatable) return false;
      const retried = retriedFailures(false);
      if (error.kind === 'server') return error.statusCode !== undefined && !retried.statuses.has(error.statusCode);
      return error.kind === 'network' && error.networkCode !== undefined && !retried.errorCodes.includes(error.networkCode);
    }

    function evaluate(value: string | undefined, type: string | undefined, fallback: string, msg: NodeMessageInFlow): unknown {
      try {
        return RED.util.evaluateNodeProperty(value ?? fallback, type ?? 'msg', node, msg);
      } catch (error) {
        throw new SettingError(String(error));
      }
    }

    /** The bot the message is about, from where the action allows; undefined for an action about no bot. */
    function botIdFor(msg: NodeMessageInFlow): string | undefined {
      if (traits.botId === 'none') return undefined;
      const botId = traits.botId === 'payload' ? explicitBotIdOf(msg) : botIdOf(msg);
      if ((typeof botId !== 'string' && typeof botId !== 'number') || botId === '') throw new SettingError(t(traits.botId === 'payload' ? 'errors.noExplicitBotId' : 'errors.noBotId'));
      return String(botId);
    }

    /** Fields the action needs in msg.payload, named before anything is built. */
    function checkRequired(fields: Record<string, unknown>): void {
      for (const field of traits.required ?? []) {
        if (fields[field] === undefined) throw new SettingError(t('errors.missing', { field }));
      }
    }

    /** create and schedule-create: the node's settings, the message's, and the callback node's address. */
    async function sendBot(client: MeetingBaasApi, msg: NodeMessageInFlow, sending: 'create' | 'schedule-create'): Promise<Outcome> {
      let callback: CallbackTarget | null = null;
      if (callbackId) {
        const target = resolveCallbackTarget(RED, callbackId, def.account);
        if (typeof target === 'string') throw new SettingError(t(`errors.${target}`));
        callback = target;
      }
      const meetingUrl = evaluate(def.meetingUrl, def.meetingUrlType, BOT_DEFAULTS.meetingUrl, msg);
      const botName = evaluate(def.botName, def.botNameType, BOT_DEFAULTS.botName, msg);
      if (meetingUrl === undefined || meetingUrl === '') throw new SettingError(t('errors.noMeetingUrl'));
      if (botName === undefined || botName === '') throw new SettingError(t('errors.noBotName'));
      const fields = inputFields(msg);
      checkRequired(fields);
      const body = buildCreateRequest(msg, { meetingUrl, botName, recordingMode, transcription, callback });
      if (sending === 'schedule-create') {
        const joinAt = fields.join_at;
        body.join_at = joinAt instanceof Date && !Number.isNaN(joinAt.getTime()) ? joinAt.toISOString() : joinAt;
      }
      // The client checks the body against the API's schema before it sends anything.
      const created = await client.perform(sending, { body }, closing.signal);
      const botId = created.data.bot_id;
      return {
        payload: { bot_id: botId, request: withoutSecrets(body) },
        info: { action, botId, ...(callback ? { callbackUrl: callback.url } : {}) },
        statusText: t(`status.done.${sending}`, { id: botId.slice(0, 8) }),
      };
    }

    /** A paged action: every page up to the node's bound, sent page by page or all at once. */
    async function readPages(client: MeetingBaasApi, paged: PagedAction, botId: string | undefined, fields: Record<string, unknown>, out: (outcome: Outcome) => void): Promise<void> {
      const query = queryValuesOf(paged, fields);
      let cursor = query.cursor ?? null;
      const items: unknown[] = [];
      let pages = 0;
      let next: string | null = null;
      for (;;) {
        const page = await client.page(paged, { ...(botId !== undefined ? { botId } : {}), query: { ...query, cursor } }, closing.signal);
        pages += 1;
        next = page.nextCursor;
        // A cursor that does not move would read the same page up to the bound.
        const last = next === null || pages >= maxPages || next === cursor;
        if (eachPage) {
          out({
            payload: page.items,
            info: { action, ...(botId !== undefined ? { botId } : {}), page: pages, count: page.items.length, nextCursor: next, lastPage: last },
            statusText: t('status.page', { page: pages, count: page.items.length }),
          });
        } else {
          items.push(...page.items);
        }
        if (last) break;
        cursor = next;
      }
      if (!eachPage) {
        out({
          payload: items,
          info: { action, ...(botId !== undefined ? { botId } : {}), pages, count: items.length, nextCursor: next },
          statusText: t(`status.done.${paged}`, { count: items.length, pages }),
        });
      }
    }

    /** Performs the node's action for one message; `out` is called once per message to send. */
    async function perform(client: MeetingBaasApi, msg: NodeMessageInFlow, out: (outcome: Outcome) => void): Promise<void> {
      const signal = closing.signal;
      if (action === 'create' || action === 'schedule-create') {
        out(await sendBot(client, msg, action));
        return;
      }
      const botId = botIdFor(msg);
      const fields = traits.payload === 'nothing' ? {} : inputFields(msg);
      checkRequired(fields);
      if (isPagedAction(action)) {
        await readPages(client, action, botId, fields, out);
        return;
      }
      const request: OperationRequest = {
        ...(botId !== undefined ? { botId } : {}),
        ...(traits.payload === 'query' ? { query: queryValuesOf(action, { ...traits.queryDefaults, ...fields }) } : {}),
        // Without fields, no body: the actions that take an optional one (pause, resume) then have no options.
        ...(traits.payload === 'body' && Object.keys(fields).length > 0 ? { body: fields } : {}),
      };
      if (action === 'schedule-update' && request.body === undefined) throw new SettingError(t('errors.nothingToUpdate'));
      if (action === 'status' || action === 'details' || action === 'schedule-get') {
        // Passed on as received: fields the node does not read are there whatever they hold.
        const { data } = await client.perform(action, request, signal);
        out({ payload: data, info: { action, botId: data.bot_id, status: data.status }, statusText: t(`status.done.${action}`, { status: String(data.status) }) });
        return;
      }
      const answer = await client.perform(action, request, signal);
      out({ payload: { bot_id: botId, ...answer.data }, info: { action, botId }, statusText: t(`status.done.${action}`) });
    }

    node.on('input', (msg: NodeMessageInFlow, send: (msg: NodeMessage) => void, done: (err?: Error) => void) => {
      if (!api) {
        node.status({ fill: 'red', shape: 'ring', text: t(unknownAction !== null ? 'status.unknownAction' : 'status.setup') });
        done(new Error(setupError ?? t('errors.noAccount')));
        return;
      }
      node.status({ fill: 'blue', shape: 'dot', text: t(`status.working.${action}`) });
      let sent = 0;
      // Pages after the first are copies of the message as it came in: the first one sent may be
      // changed by the nodes after this one while the next page is read.
      const pristine = eachPage && traits.paged ? RED.util.cloneMessage(msg) : null;
      const out = (outcome: Outcome): void => {
        const message = sent === 0 || pristine === null ? msg : RED.util.cloneMessage(pristine);
        sent += 1;
        message.payload = outcome.payload;
        message.meetingbaas = outcome.info;
        node.status({ fill: 'green', shape: 'dot', text: outcome.statusText });
        send(message);
      };
      perform(api, msg, out)
        .then(() => {
          if (eachPage && traits.paged) node.status({ fill: 'green', shape: 'dot', text: t('status.pagesSent', { pages: sent }) });
          done();
        })
        .catch((error: unknown) => {
          if (closing.signal.aborted) return done();
          const text = error instanceof SettingError ? error.message : describe(error);
          const short = error instanceof ApiError && error.statusCode !== undefined ? `HTTP ${error.statusCode}` : t('status.failed');
          node.status({ fill: 'red', shape: 'dot', text: short });
          // A Catch node can tell API errors apart by msg.error.kind and msg.error.statusCode.
          const said = error instanceof ApiError ? { kind: error.kind, ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}) } : {};
          done(Object.assign(new Error(text), said));
        });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing.abort();
      const closed = api ? api.close() : Promise.resolve();
      closed.then(done, done);
    });
  }

  RED.nodes.registerType('meetingbaas-bot', MeetingBaasBot);
};
