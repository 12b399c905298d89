// "meeting bot": sends a Meeting BaaS bot to a meeting with its callback wired to a "callback
// in" node of this Node-RED, and asks about a bot (status, fresh artifact links), makes it
// leave, or has its callback sent again. API errors reach Catch nodes as plain sentences.
import { setMaxListeners } from 'node:events';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ApiError, MeetingBaasApi, type RetryNotice } from '../../lib/api';
import type { CreateBotRequestBodyInput } from '../../lib/validation';
import { readAccount } from '../meetingbaas-config/account';
import { botIdOf, buildCreateRequest, RECORDING_MODES, withoutSecrets } from './bot-request';
import { resolveCallbackTarget, type CallbackTarget } from './callback-target';

type Action = 'create' | 'status' | 'details' | 'leave' | 'retry-callback';
const ACTIONS: readonly Action[] = ['create', 'status', 'details', 'leave', 'retry-callback'];

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
}

type Msg = NodeMessageInFlow & Record<string, unknown>;

/** Node-RED's own error for a value a TypedInput could not evaluate (e.g. bad JSONata). */
class SettingError extends Error {}

export = (RED: NodeAPI): void => {
  function MeetingBaasBot(this: Node, def: BotDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, vars?: Record<string, string | number>): string => RED._(`meetingbaas-bot.${key}`, vars);

    const action: Action = ACTIONS.includes(def.action as Action) ? (def.action as Action) : 'create';
    const callbackId = def.callback?.trim() || '';
    const recordingMode = (RECORDING_MODES as readonly string[]).includes(def.recordingMode ?? '') ? (def.recordingMode as string) : '';
    const transcription = def.transcription === true || def.transcription === 'true';
    const retriesSetting = Number(def.retries);
    const retries = Number.isInteger(retriesSetting) && retriesSetting >= 0 && retriesSetting <= 10 ? retriesSetting : undefined;

    const account = readAccount(RED, def.account);
    const closing = new AbortController();
    setMaxListeners(1000, closing.signal);

    const onRetry = (notice: RetryNotice): void => {
      const why = notice.statusCode !== undefined ? `HTTP ${notice.statusCode}` : (notice.code ?? '');
      node.status({ fill: 'yellow', shape: 'ring', text: t('status.retrying', { why, seconds: Math.ceil(notice.waitMs / 1000) }) });
    };

    let api: MeetingBaasApi | null = null;
    let setupError: string | null = null;
    if (!def.account || !RED.nodes.getNode(def.account)) {
      setupError = t('errors.noAccount');
    } else {
      try {
        api = new MeetingBaasApi({ baseUrl: account.baseUrl, apiKey: account.credentials.apiKey, ...(retries !== undefined ? { retries } : {}), onRetry });
      } catch (error) {
        setupError = describe(error);
      }
    }
    if (setupError) node.status({ fill: 'red', shape: 'ring', text: t('status.setup') });
    else node.status({});

    function describe(error: unknown): string {
      if (!(error instanceof ApiError)) return t('errors.unexpected', { detail: String(error) });
      const vars = {
        status: error.statusCode ?? '',
        wait: error.retryAfterSeconds ?? '?',
        detail: error.apiMessage ?? error.problems.join('; '),
        operation: error.operation,
      };
      const key = `api.${error.kind}${error.kind === 'conflict' ? `-${action}` : ''}`;
      let text = t(key, vars);
      if (error.kind === 'rate-limited' && error.retryAfterSeconds === undefined) text = t('api.rate-limited-no-wait', vars);
      if (error.statusCode !== undefined && vars.detail && !text.includes(vars.detail)) text += ` ${t('api.said', vars)}`;
      return text;
    }

    function evaluate(value: string | undefined, type: string | undefined, fallback: string, msg: Msg): unknown {
      try {
        return RED.util.evaluateNodeProperty(value ?? fallback, type ?? 'msg', node, msg);
      } catch (error) {
        throw new SettingError(String(error));
      }
    }

    async function perform(client: MeetingBaasApi, msg: Msg): Promise<{ payload: unknown; info: Record<string, unknown>; statusText: string }> {
      const signal = closing.signal;
      if (action === 'create') {
        let callback: CallbackTarget | null = null;
        if (callbackId) {
          const target = resolveCallbackTarget(RED, callbackId, def.account);
          if (typeof target === 'string') throw new SettingError(t(`errors.${target}`));
          callback = target;
        }
        const meetingUrl = evaluate(def.meetingUrl, def.meetingUrlType, 'payload.meeting_url', msg);
        const botName = evaluate(def.botName, def.botNameType, 'payload.bot_name', msg);
        if (meetingUrl === undefined || meetingUrl === '') throw new SettingError(t('errors.noMeetingUrl'));
        if (botName === undefined || botName === '') throw new SettingError(t('errors.noBotName'));
        const body = buildCreateRequest(msg, { meetingUrl, botName, recordingMode, transcription, callback });
        // The client checks the body against the API's schema before it sends anything.
        const created = await client.createBot(body as unknown as CreateBotRequestBodyInput, signal);
        return {
          payload: { bot_id: created.botId, request: withoutSecrets(body) },
          info: { action, botId: created.botId, ...(callback ? { callbackUrl: callback.url } : {}) },
          statusText: t('status.created', { id: created.botId.slice(0, 8) }),
        };
      }
      const botId = botIdOf(msg);
      if (botId === undefined || botId === null || botId === '') throw new SettingError(t('errors.noBotId'));
      const id = String(botId);
      if (action === 'status') {
        const status = await client.botStatus(id, signal);
        return { payload: status, info: { action, botId: status.bot_id, status: status.status }, statusText: status.status };
      }
      if (action === 'details') {
        // Passed on as received: fields the node does not read are there whatever they hold.
        const details = await client.botDetails(id, signal);
        return {
          payload: details,
          info: { action, botId: details.bot_id, status: details.status },
          statusText: t('status.details', { status: details.status }),
        };
      }
      if (action === 'leave') {
        const left = await client.leaveBot(id, signal);
        return { payload: { bot_id: id, ...left }, info: { action, botId: id }, statusText: t('status.left') };
      }
      const sent = await client.retryCallback(id, null, signal);
      return { payload: { bot_id: id, ...sent }, info: { action, botId: id }, statusText: t('status.retried') };
    }

    node.on('input', (inMsg: NodeMessageInFlow, send: (msg: NodeMessage) => void, done: (err?: Error) => void) => {
      const msg = inMsg as Msg;
      if (!api) {
        node.status({ fill: 'red', shape: 'ring', text: t('status.setup') });
        done(new Error(setupError ?? t('errors.noAccount')));
        return;
      }
      node.status({ fill: 'blue', shape: 'dot', text: t(`status.working.${action}`) });
      perform(api, msg)
        .then(({ payload, info, statusText }) => {
          msg.payload = payload;
          msg.meetingbaas = info;
          node.status({ fill: 'green', shape: 'dot', text: statusText });
          send(msg);
          done();
        })
        .catch((error: unknown) => {
          if (closing.signal.aborted) return done();
          const text = error instanceof SettingError ? error.message : describe(error);
          const short = error instanceof ApiError && error.statusCode !== undefined ? `HTTP ${error.statusCode}` : t('status.failed');
          node.status({ fill: 'red', shape: 'dot', text: short });
          const err = new Error(text) as Error & { statusCode?: number; kind?: string };
          if (error instanceof ApiError) {
            err.kind = error.kind;
            if (error.statusCode !== undefined) err.statusCode = error.statusCode;
          }
          done(err);
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
