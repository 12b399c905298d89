// What the sidebar's admin routes (sidebar.ts) send and the editor's sidebar (editor-sidebar.ts)
// reads: one description for both sides, so that they cannot drift apart. Nothing of Node.js
// here: the editor's bundle includes this file.

/** `failed`: the flow reported a failure; it waits to be sent again (at the next start), not parked yet. */
export type DeliveryState = 'in-flow' | 'finished' | 'sent-again' | 'failed' | 'parked';
export const DELIVERY_STATES: readonly DeliveryState[] = ['in-flow', 'finished', 'sent-again', 'failed', 'parked'];
/** What the state filter accepts: a state, or `recovered` (rebuilt by the catch-up), whatever its state. */
export type StateFilter = DeliveryState | 'recovered';
export const STATE_FILTERS: readonly StateFilter[] = [...DELIVERY_STATES, 'recovered'];

/** One line of the sidebar: facts of the journal, never the body. */
export interface DeliveryRow {
  readonly node: string;
  readonly seq: number;
  readonly receivedAt: number;
  readonly event: string | null;
  readonly botId: string | null;
  /** The `extra` the bot was created with, as the journal kept it (secrets hidden); null when unknown. */
  readonly extra: Readonly<Record<string, unknown>> | null;
  readonly verifiedBy: string;
  /** 0 to 3; null for records written before the output was kept. */
  readonly output: number | null;
  readonly state: DeliveryState;
  readonly recovered: boolean;
  /** Times it was sent again (failures the flow reported not counted). */
  readonly attempts: number;
  /** Why it is parked, or what went wrong the last time. */
  readonly problem: string | null;
  readonly finishedAt: number | null;
}

/** A callback node as the sidebar lists it, with its counts. */
export interface NodeSummary {
  readonly id: string;
  /** Its name, or its method and path. */
  readonly label: string;
  readonly journal: boolean;
  /** The node's account has an API key: fresh links can be fetched. */
  readonly api: boolean;
  /** Deliveries refused with 401. */
  readonly rejected: number;
  /** Repeats acknowledged without being sent on. */
  readonly repeats: number;
}

/** GET /meetingbaas/deliveries */
export interface DeliveriesPage {
  readonly rows: readonly DeliveryRow[];
  /** Null when there is nothing older. */
  readonly next: string | null;
  readonly nodes: readonly NodeSummary[];
}

/** An artifact fetch artifacts saved: `path` is null when it went into a message. */
export interface SavedFile {
  readonly artifact: string;
  readonly bytes: number;
  readonly path: string | null;
}

/** GET /meetingbaas/deliveries/:node/:seq */
export interface DeliveryDetail {
  readonly row: DeliveryRow;
  /** The body, pretty-printed when it is JSON, its secrets hidden. */
  readonly payload: string;
  readonly json: boolean;
  /** What is wrong with it, worded. */
  readonly errors: readonly string[];
  /** Absent for entries journaled before saved files were kept. */
  readonly saved?: readonly SavedFile[];
}

/** POST …/send-again, …/finish (the row as it is now) and …/fresh-links (the links, signatures hidden). */
export interface ActionAnswer {
  readonly row?: DeliveryRow;
  readonly links?: unknown;
}

/** RED.comms topic of the live updates. */
export const TOPIC = 'meetingbaas/deliveries';
/** Rows a page holds unless asked otherwise, and at most. */
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
