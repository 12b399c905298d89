// The runtime of the editor's "Meeting BaaS" sidebar: admin routes that page through the journals
// of the callback nodes, open one delivery (its secrets hidden), send it again or mark it
// finished, and RED.comms messages that tell open editors something changed. Reading needs
// `meetingbaas-callback.read`, acting `meetingbaas-callback.write`.
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { ApiError, MeetingBaasApi } from '../../lib/api';
import { DELIVERY_SOURCES, readDelivery, routeDelivery, type BodyRefusal } from '../../lib/delivery/routing';
import type { JournalEntry } from '../../lib/delivery/journal';
import type { JournaledDeliveries } from './journaling';
import { apiErrorText, sayApiProblemWith } from '../shared/problems';
import {
  DEFAULT_PAGE,
  STATE_FILTERS,
  TOPIC,
  type ActionAnswer,
  type DeliveriesPage,
  type DeliveryDetail,
  type DeliveryRow,
  type NodeSummary,
  type StateFilter,
} from './sidebar-contract';
import { decodeCursor, maskSecrets, maskText, pageOf, rowOf, type DeliveryFilter, type PagedJournal } from './sidebar-view';

/** What a callback node hands the sidebar. */
export interface SidebarSource {
  readonly node: string;
  /** How the node is called in the editor (its name, or its method and path). */
  readonly label: string;
  readonly journaling: Promise<JournaledDeliveries | null>;
  /** Deliveries refused with 401, and repeats acknowledged without being sent on: counts only, never bodies. */
  counts(): { readonly rejected: number; readonly repeats: number };
  /** Sends a journaled delivery on its output again, as attempt `attempt`, marked as replayed. */
  replay(entry: JournalEntry, body: string, attempt: number): void;
  /** The account's API, when it has a key. */
  readonly api: { readonly baseUrl: string; readonly apiKey: string } | null;
}

interface Attached extends SidebarSource {
  journal: JournaledDeliveries | null;
  unwatch: () => void;
}

/** Live updates cross to every open editor: at most this often, whatever the load. */
const PUBLISH_EVERY_MS = 500;
const COUNTS_EVERY_MS = 2000;

const sources = new Map<string, Attached>();
let publishTimer: NodeJS.Timeout | null = null;
let countsTimer: NodeJS.Timeout | null = null;
let lastCounts = '';
const changedNodes = new Set<string>();
let publish: (nodes: string[]) => void = () => undefined;

function schedulePublish(node: string): void {
  changedNodes.add(node);
  if (publishTimer) return;
  publishTimer = setTimeout(() => {
    publishTimer = null;
    const nodes = [...changedNodes];
    changedNodes.clear();
    publish(nodes);
  }, PUBLISH_EVERY_MS);
  publishTimer.unref();
}

function countsSnapshot(): string {
  return JSON.stringify([...sources.values()].map((s) => [s.node, s.counts()]));
}

/** Makes a callback node's journal and counts visible in the sidebar; returns a function that takes them away. */
export function attachToSidebar(source: SidebarSource): () => void {
  const attached: Attached = { ...source, journal: null, unwatch: () => undefined };
  sources.set(source.node, attached);
  void source.journaling.then((journal) => {
    if (sources.get(source.node) !== attached || !journal) return;
    attached.journal = journal;
    attached.unwatch = journal.watch(() => schedulePublish(source.node));
    schedulePublish(source.node);
  });
  if (!countsTimer) {
    countsTimer = setInterval(() => {
      const now = countsSnapshot();
      if (now !== lastCounts) {
        lastCounts = now;
        publish([]);
      }
    }, COUNTS_EVERY_MS);
    countsTimer.unref();
  }
  return () => {
    attached.unwatch();
    if (sources.get(source.node) !== attached) return;
    sources.delete(source.node);
    schedulePublish(source.node);
    if (sources.size === 0 && countsTimer) {
      clearInterval(countsTimer);
      countsTimer = null;
    }
  };
}

/** The filter of a request's query; unknown states and events are left out, not errors. */
export function filterOf(query: Record<string, unknown>): DeliveryFilter {
  const one = (name: string): string | undefined => {
    const value = query[name];
    return typeof value === 'string' && value !== '' ? value.slice(0, 200) : undefined;
  };
  const state = one('state');
  const filter: { -readonly [K in keyof DeliveryFilter]: DeliveryFilter[K] } = {};
  const node = one('node');
  const event = one('event');
  const search = one('q');
  if (node) filter.node = node;
  if (event) filter.event = event;
  if (search) filter.search = search;
  if (state && (STATE_FILTERS as readonly string[]).includes(state)) filter.state = state as StateFilter;
  return filter;
}

function nodesSummary(): NodeSummary[] {
  return [...sources.values()].map((s) => ({ id: s.node, label: s.label, journal: s.journal !== null, api: s.api !== null, ...s.counts() }));
}

function entryOf(req: Request, res: Response): { source: Attached; journal: JournaledDeliveries; entry: JournalEntry } | null {
  const source = sources.get(String(req.params.node));
  const seq = Number(req.params.seq);
  const journal = source?.journal ?? null;
  const entry = journal && Number.isSafeInteger(seq) ? journal.get(seq) : undefined;
  if (!source || !journal || !entry) {
    res.status(404).json({ error: 'unknown-delivery' });
    return null;
  }
  return { source, journal, entry };
}

/** The body of a delivery as the editor may see it: pretty-printed JSON (or the text), secrets hidden; and what is wrong with it, in words. */
export function payloadView(entry: JournalEntry, body: string, sayRefusal?: (refusal: BodyRefusal) => string): { payload: string; json: boolean; errors: string[] } {
  const contentType = typeof entry.meta.contentType === 'string' ? entry.meta.contentType : undefined;
  const verifiedBy = DELIVERY_SOURCES.find((by) => by === entry.verifiedBy) ?? 'none';
  const routed = routeDelivery(readDelivery(Buffer.from(body, 'utf8'), contentType), { deliveryId: entry.deliveryId, verifiedBy, receivedAt: new Date(entry.receivedAt) }, { sayRefusal });
  const info = routed.message.meetingbaas;
  const problems = info.invalid?.errors ?? info.deviations ?? [];
  const errors = problems.map((e) => maskText(e.field === '(delivery)' ? e.message : `${e.field} ${e.message}`));
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { payload: maskText(body), json: false, errors };
  }
  return { payload: JSON.stringify(maskSecrets(parsed), null, 2), json: true, errors };
}

const registered = new WeakSet<object>();

export function registerSidebarRoutes(RED: NodeAPI): void {
  if (!RED.httpAdmin || registered.has(RED.httpAdmin)) return;
  registered.add(RED.httpAdmin);
  publish = (nodes) => RED.comms.publish(TOPIC, { nodes }, false);
  const read = RED.auth.needsPermission('meetingbaas-callback.read');
  const write = RED.auth.needsPermission('meetingbaas-callback.write');

  RED.httpAdmin.get('/meetingbaas/deliveries', read, (req: Request, res: Response) => {
    const query = req.query as Record<string, unknown>;
    const filter = filterOf(query);
    const limit = Number(query.limit ?? DEFAULT_PAGE) || DEFAULT_PAGE;
    const cursor = typeof query.cursor === 'string' && query.cursor !== '' ? decodeCursor(query.cursor) : {};
    if (cursor === null) return void res.status(400).json({ error: 'bad-cursor' });
    const journals: PagedJournal[] = [...sources.values()].flatMap((s) => {
      const journal = s.journal;
      return journal ? [{ node: s.node, list: (n: number, before: number) => journal.list(n, before) }] : [];
    });
    const page = pageOf(journals, filter, limit, cursor);
    res.json({ rows: page.rows, next: page.next, nodes: nodesSummary() } satisfies DeliveriesPage);
  });

  RED.httpAdmin.get('/meetingbaas/deliveries/:node/:seq', read, (req: Request, res: Response) => {
    const found = entryOf(req, res);
    if (!found) return;
    const row: DeliveryRow = rowOf(found.source.node, found.entry);
    found.journal.body(found.entry.seq).then(
      (body) =>
        res.json({
          row: { ...row, problem: row.problem && maskText(row.problem) },
          ...payloadView(found.entry, body, ({ code, params }) => RED._(`meetingbaas-callback.bodyProblems.${code}`, params)),
          saved: found.entry.saved,
        } satisfies DeliveryDetail),
      () => res.status(404).json({ error: 'unknown-delivery' }),
    );
  });

  RED.httpAdmin.post('/meetingbaas/deliveries/:node/:seq/send-again', write, (req: Request, res: Response) => {
    const found = entryOf(req, res);
    if (!found) return;
    const { source, journal, entry } = found;
    journal
      .body(entry.seq)
      .then(async (body) => {
        const updated = (await journal.attemptAgain(entry.seq)) ?? entry;
        source.replay(updated, body, updated.attempts);
        res.json({ row: rowOf(source.node, updated) } satisfies ActionAnswer);
      })
      .catch(() => res.status(404).json({ error: 'unknown-delivery' }));
  });

  RED.httpAdmin.post('/meetingbaas/deliveries/:node/:seq/finish', write, (req: Request, res: Response) => {
    const found = entryOf(req, res);
    if (!found) return;
    found.journal.finish(found.entry.seq).then(
      () => {
        const entry = found.journal.get(found.entry.seq) ?? found.entry;
        res.json({ row: rowOf(found.source.node, entry) } satisfies ActionAnswer);
      },
      // The journal could not record it (closed by a deploy, a full disk): still unfinished.
      (error: unknown) => void res.status(500).json({ error: 'not-recorded', detail: maskText(String(error)) }),
    );
  });

  const sayApiProblem = sayApiProblemWith(RED);
  /** A failed API call, its problems in words here: the editor shows what it gets. */
  const apiFailed = (res: Response, error: unknown): void => {
    if (!(error instanceof ApiError)) return void res.status(502).json({ error: 'api-failed', detail: maskText(String(error)) });
    const { kind, statusCode } = error;
    res.status(502).json({ error: 'api-failed', kind, ...(statusCode !== undefined ? { status: statusCode } : {}), detail: maskText(apiErrorText(sayApiProblem, error)) });
  };

  RED.httpAdmin.post('/meetingbaas/deliveries/:node/:seq/fresh-links', write, (req: Request, res: Response) => {
    const found = entryOf(req, res);
    if (!found) return;
    const botId = typeof found.entry.meta.botId === 'string' ? found.entry.meta.botId : null;
    const account = found.source.api;
    if (!account) return void res.status(409).json({ error: 'no-api-key' });
    if (!botId) return void res.status(409).json({ error: 'no-bot-id' });
    let api: MeetingBaasApi;
    try {
      api = new MeetingBaasApi({ baseUrl: account.baseUrl, apiKey: account.apiKey });
    } catch (error) {
      return void apiFailed(res, error);
    }
    api
      .freshLinks(botId)
      .then(
        (links) => res.json({ links: maskSecrets(links) } satisfies ActionAnswer),
        (error: unknown) => apiFailed(res, error),
      )
      .finally(() => void api.close());
  });
}
