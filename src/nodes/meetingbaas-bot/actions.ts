// What the "meeting bot" node does with each action of the operations table: which part of the
// message it reads, where the bot id comes from, how the editor groups it. The operation itself
// (method, path, schemas, paging) is the table's; this adds only what concerns a flow. Pure: the
// editor is bundled with it, and offers the actions from it.
import { ACTIONS, OPERATIONS, type Action } from '../../lib/api/operations';

/** The editor's groups of actions, in the order it shows them. */
export const ACTION_GROUPS = ['bots', 'meeting', 'after', 'scheduled'] as const;
export type ActionGroup = (typeof ACTION_GROUPS)[number];

/**
 * What msg.payload holds for an action: the settings of a bot to send (with the node's own),
 * the query parameters, the request body, or nothing the node reads.
 */
export type PayloadUse = 'bot-settings' | 'query' | 'body' | 'nothing';

/**
 * Where the bot id comes from: nowhere (the action names no bot); the message (msg.payload.bot_id,
 * a delivery's data.bot_id, msg.meetingbaas.botId); or msg.payload.bot_id only, for actions that
 * delete, so that a bot is never deleted because a message happened to be about it.
 */
export type BotIdSource = 'none' | 'message' | 'payload';

interface NodeAction {
  readonly group: ActionGroup;
  readonly payload: PayloadUse;
  /** Fields msg.payload must have: said by name before the request is built. */
  readonly required?: readonly string[];
  /** Query parameters sent unless msg.payload says otherwise. */
  readonly queryDefaults?: { readonly [name: string]: string | number | boolean };
}

const NODE_ACTIONS: { readonly [A in Action]: NodeAction } = {
  create: { group: 'bots', payload: 'bot-settings' },
  list: { group: 'bots', payload: 'query' },
  status: { group: 'bots', payload: 'nothing' },
  details: { group: 'bots', payload: 'nothing' },
  screenshots: { group: 'bots', payload: 'query' },
  'send-chat-message': { group: 'meeting', payload: 'body', required: ['message'] },
  'pause-recording': { group: 'meeting', payload: 'body' },
  'resume-recording': { group: 'meeting', payload: 'body' },
  'update-config': { group: 'meeting', payload: 'body', required: ['extra'] },
  leave: { group: 'meeting', payload: 'nothing' },
  // The override body is left to the API client: msg.payload is usually the delivery being retried.
  'retry-callback': { group: 'after', payload: 'nothing' },
  'resend-webhook': { group: 'after', payload: 'nothing' },
  // Deleting from the transcription provider too is the documented default; sent explicitly.
  'delete-data': { group: 'after', payload: 'query', queryDefaults: { delete_from_provider: true } },
  'schedule-create': { group: 'scheduled', payload: 'bot-settings', required: ['join_at'] },
  'schedule-list': { group: 'scheduled', payload: 'query' },
  'schedule-get': { group: 'scheduled', payload: 'nothing' },
  'schedule-update': { group: 'scheduled', payload: 'body' },
  'schedule-delete': { group: 'scheduled', payload: 'nothing' },
};

export interface ActionTraits extends NodeAction {
  readonly action: Action;
  readonly botId: BotIdSource;
  /** DELETE: the bot id must be in msg.payload.bot_id. */
  readonly destructive: boolean;
  readonly paged: boolean;
  /** Sends a bot (now or scheduled): the node's meeting, name, recording and callback settings apply. */
  readonly sendsBot: boolean;
}

export function traitsOf(action: Action): ActionTraits {
  const operation = OPERATIONS[action];
  const node = NODE_ACTIONS[action];
  const destructive = operation.method === 'DELETE';
  return {
    ...node,
    action,
    botId: !operation.path.includes('{bot_id}') ? 'none' : destructive ? 'payload' : 'message',
    destructive,
    paged: operation.paged,
    sendsBot: node.payload === 'bot-settings',
  };
}

export const ACTION_TRAITS: readonly ActionTraits[] = ACTIONS.map(traitsOf);

/** The most pages one input reads, whatever the node's setting says. */
export const MAX_PAGES_LIMIT = 100;
