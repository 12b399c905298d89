// What a callback in node's settings are, read from its flow definition and from Node-RED's settings.
// Read tolerantly: a flow may be old (without the later checkboxes), written by the editor (numbers
// as text) or by hand; what cannot be used is the default of ../shared/defaults. What stops the node
// listening comes back as keys of its catalog, for the node to word.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NodeDef } from 'node-red';
import { CALLBACK_DEFAULTS, type CallbackMethod } from '../shared/defaults';
import { callbackMethodOf, pathProblem } from '../shared/urls';

/** The node's settings as the flow holds them (the flow JSON's names). */
export interface CallbackDef extends NodeDef {
  /** Where each output is wired, as the flow holds it. */
  wires?: string[][];
  account?: string;
  url?: string;
  method?: string;
  maxBodyKB?: number | string;
  bodyTimeoutSeconds?: number | string;
  dedupeHours?: number | string;
  dedupeMax?: number | string;
  store?: string;
  /** Deliveries that deviate from the documented schema go to output 4 even when the flow could use them. */
  strict?: boolean | string;
  /** Copies of a meeting's bot.completed or bot.failed (same event and bot) within this window are repeats. */
  dedupeMeetingMinutes?: number | string;
  /** Each delivery accepted is on disk before the 2xx, and sent again after a restart until the flow is done with it. */
  journal?: boolean | string;
  maxRedeliveries?: number | string;
  /** Looks through the API for meetings that ended while their callback could not get here. */
  catchUp?: boolean | string;
  catchUpMinutes?: number | string;
}

/** What the node reads of Node-RED's settings (RED.settings). */
export interface RuntimeSettings {
  readonly userDir?: string;
  /** False: settings.js turned the HTTP endpoints of nodes off. */
  readonly httpNodeRoot?: string | false;
}

export interface CallbackInSettings {
  /** The URL path, trimmed; checked. */
  readonly path: string;
  readonly method: CallbackMethod;
  /** The HTTP methods `method` answers. */
  readonly allowedMethods: readonly string[];
  /** How the sidebar names the node: its name, or its method and path. */
  readonly label: string;
  readonly bodyLimit: number;
  readonly bodyTimeoutMs: number;
  /** 0: no repeat window. */
  readonly dedupeMs: number;
  readonly dedupeMax: number;
  readonly dedupeMeetingMs: number;
  /** The context store the repeat claims are kept in. */
  readonly store: string;
  readonly strict: boolean;
  readonly journal: boolean;
  readonly maxRedeliveries: number;
  readonly catchUp: boolean;
  readonly catchUpMs: number;
  readonly journalFile: string;
  readonly catchUpFile: string;
}

/** Why the node cannot listen: a key of its catalog for the status, one for the log, and the latter's parameters. */
export interface SettingsProblem {
  readonly status: 'status.httpDisabled' | 'status.badPath';
  readonly error: 'errors.httpDisabled' | 'errors.missingPath' | 'errors.badPath';
  readonly params: Readonly<Record<string, string>>;
}

export type SettingsRead = { readonly ok: true; readonly settings: CallbackInSettings } | { readonly ok: false; readonly problem: SettingsProblem };

const ALLOWED_METHODS: Readonly<Record<CallbackMethod, readonly string[]>> = {
  post: ['POST'],
  put: ['PUT'],
  any: ['POST', 'PUT'],
};

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;

/** A number of 0 or more, as a number or as the editor's text; anything else is `fallback`. */
function positiveNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** A setting for which 0 would stop the node working: 0 is `fallback` too. */
function nonZero(value: unknown, fallback: number): number {
  return positiveNumber(value, fallback) || fallback;
}

/** A checkbox that flows written before it existed leave out: absent means `fallback`. */
function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return value === true || value === 'true';
}

export function readCallbackSettings(def: CallbackDef, runtime: RuntimeSettings): SettingsRead {
  if (runtime.httpNodeRoot === false) {
    return { ok: false, problem: { status: 'status.httpDisabled', error: 'errors.httpDisabled', params: {} } };
  }
  const path = (def.url ?? '').trim();
  const problem = pathProblem(path);
  if (problem) {
    return {
      ok: false,
      problem: { status: 'status.badPath', error: problem === 'missing' ? 'errors.missingPath' : 'errors.badPath', params: { path } },
    };
  }
  const method = callbackMethodOf(def.method);
  /** This node's file of a kind, in the user directory (Node-RED's default one when the settings name none). */
  const stateFile = (kind: string, extension: string): string =>
    join(runtime.userDir ?? join(homedir(), '.node-red'), 'meetingbaas', kind, `${def.id.replace(/[^A-Za-z0-9_-]/g, '_')}${extension}`);
  return {
    ok: true,
    settings: {
      path,
      method,
      allowedMethods: ALLOWED_METHODS[method],
      label: def.name || `[${method === 'any' ? 'post|put' : method}] ${path}`,
      // Rounded to bytes: a fraction of a byte is 0, which would refuse every body.
      bodyLimit: Math.round(positiveNumber(def.maxBodyKB, CALLBACK_DEFAULTS.maxBodyKB) * 1024) || CALLBACK_DEFAULTS.maxBodyKB * 1024,
      bodyTimeoutMs: nonZero(def.bodyTimeoutSeconds, CALLBACK_DEFAULTS.bodyTimeoutSeconds) * 1000,
      dedupeMs: positiveNumber(def.dedupeHours, CALLBACK_DEFAULTS.dedupeHours) * HOUR_MS,
      dedupeMax: Math.floor(positiveNumber(def.dedupeMax, CALLBACK_DEFAULTS.dedupeMax)),
      dedupeMeetingMs: positiveNumber(def.dedupeMeetingMinutes, CALLBACK_DEFAULTS.dedupeMeetingMinutes) * MINUTE_MS,
      store: def.store?.trim() || CALLBACK_DEFAULTS.store,
      strict: flag(def.strict, CALLBACK_DEFAULTS.strict),
      journal: flag(def.journal, CALLBACK_DEFAULTS.journal),
      maxRedeliveries: Math.floor(positiveNumber(def.maxRedeliveries, CALLBACK_DEFAULTS.maxRedeliveries)),
      catchUp: flag(def.catchUp, CALLBACK_DEFAULTS.catchUp),
      catchUpMs: nonZero(def.catchUpMinutes, CALLBACK_DEFAULTS.catchUpMinutes) * MINUTE_MS,
      journalFile: stateFile('journals', '.journal'),
      catchUpFile: stateFile('catch-up', '.json'),
    },
  };
}
