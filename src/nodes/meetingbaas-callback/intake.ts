// The intake of one callback node, without Node-RED: what happens to a delivery once its body has
// been read. It is authenticated, claimed (its id, then its meeting), routed, kept in the journal,
// sent on, and only then are its claims settled and the sender answered 2xx. Any other outcome (a
// repeat, a deploy, a failed write, an exception) releases the claims before the answer, so that
// the sender's retry gets through. What the journal sends again (after a restart, after a deploy
// further down, or when someone asks) and what the catch-up recovers take the same steps.
import type { IncomingHttpHeaders } from 'node:http';
import type { DeliveryAuthenticator, RejectionReason } from '../../lib/delivery/authentication';
import type { RecoveredDelivery } from '../../lib/delivery/catch-up';
import type { JournalDelivery, JournalEntry } from '../../lib/delivery/journal';
import { deliveryKey, meetingKey, type RepeatFilter } from '../../lib/delivery/repeats';
import {
  DELIVERY_SOURCES,
  OUTPUT,
  readDelivery,
  routeDelivery,
  type DeliverySource,
  type RoutedDelivery,
  type RoutingOptions,
} from '../../lib/delivery/routing';
import type { JournalRef } from '../shared/finishing';
import { RESTARTING, RETRY_SHORTLY, type EarlyAnswer } from './endpoints';
import { rememberJournaled } from './claims';
import { downstreamOf, finishersByOutput, type FlowNode } from './finishers';
import type { JournaledDeliveries } from './journaling';
import { extraMeta } from './sidebar-view';

export const RECEIVED: EarlyAnswer = { status: 200, body: { received: true } };
export const DUPLICATE: EarlyAnswer = { status: 200, body: { received: true, duplicate: true } };
export const NOT_JSON_TYPE: EarlyAnswer = { status: 415, body: { error: 'Content-Type must be application/json' } };
export const UNAUTHORIZED: EarlyAnswer = { status: 401, body: { error: 'unauthorized' } };
export const COPY_BUSY: EarlyAnswer = { status: 503, body: { error: 'another copy of this delivery is being handled, retry shortly' }, headers: RETRY_SHORTLY };
export const NOT_SAVED: EarlyAnswer = { status: 503, body: { error: 'the delivery could not be saved, retry shortly' }, headers: RETRY_SHORTLY };
export const INTERNAL_ERROR: EarlyAnswer = { status: 500, body: { error: 'internal error' } };

/** The terminal events of bots this process handed to the flow, for the catch-up; oldest forgotten first. */
const MAX_DELIVERED_BOTS = 10_000;

/** How a delivery reached the flow: received now, sent again from the journal, or rebuilt from the API by the catch-up. */
export type Arrival = 'received' | 'redelivered' | 'recovered';

/** What the intake tells its node, which counts it, shows it and words it for the log. */
export interface IntakeEvents {
  /** Refused with 401, from the headers alone or once the body was read. */
  rejected(reason: RejectionReason): void;
  /** A copy of a delivery or of a meeting that reached the flow already: acknowledged, not sent on. */
  repeat(): void;
  /** Handed to the wired nodes. */
  delivered(routed: RoutedDelivery, how: Arrival): void;
  /** Something threw; a delivery being received is answered 500 and its claims released. */
  failed(error: unknown): void;
}

/** The part of the journal the intake uses. */
export type IntakeJournal = Pick<
  JournaledDeliveries,
  'entries' | 'keep' | 'withdraw' | 'handedOver' | 'setFinishers' | 'unfinishedOf' | 'redeliverUnfinished' | 'redeliverInterrupted' | 'interrupt'
>;

export interface IntakeParts {
  readonly nodeId: string;
  readonly authenticator: Pick<DeliveryAuthenticator, 'authenticate' | 'rejectionBeforeBody'>;
  /** Null when the journal is off or could not be opened. It opens while the flows start: a delivery that arrives meanwhile waits for it. */
  readonly journal: Promise<IntakeJournal | null>;
  /** Delivery ids: a sender's retries. */
  readonly repeats: RepeatFilter;
  /** Meetings (event + bot id of a bot.completed or bot.failed): a meeting's other copies. */
  readonly meetings: RepeatFilter;
  /** The claims were kept from the node's earlier instance (a redeploy), and so know what the journal holds. */
  readonly claimsKnowJournal: boolean;
  /**
   * Sends a routed delivery on its output. Resolves with true once the wired nodes have it, false
   * when a deploy stopped them in between (the message is then gone).
   */
  send(routed: RoutedDelivery): Promise<boolean>;
  /** True while a deploy restarts this node or the nodes it is wired to. */
  restarting(): boolean;
  /**
   * Journal entries handed to nodes that are still working on them. The node keeps this set across
   * its redeploys: a redeploy of the callback node alone must not send them again meanwhile.
   */
  readonly inFlow: Set<number>;
  readonly routing: RoutingOptions;
  readonly events: IntakeEvents;
  /** The clock that dates deliveries received and recovered. */
  readonly now?: () => number;
}

/** What one delivery being received has claimed, and so must settle or release. */
interface Claim {
  deliveryId?: string;
  meeting?: string;
  kept?: { readonly journal: IntakeJournal; readonly ref: JournalRef };
}

/** The answer, and whether the flow has the delivery: a 2xx, or the 415 of one that still went to output 4. */
interface Outcome {
  readonly answer: EarlyAnswer;
  readonly handedOver: boolean;
}

function answered(answer: EarlyAnswer): Outcome {
  return { answer, handedOver: answer.status >= 200 && answer.status < 300 };
}

/** Resolves once every promise has settled, or after `ms`, whichever comes first. */
function settledWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([Promise.allSettled(promises).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

function journalRecord(routed: RoutedDelivery, text: string, contentType: string | null): JournalDelivery {
  const info = routed.message.meetingbaas;
  return {
    deliveryId: info.deliveryId,
    receivedAt: Date.parse(info.receivedAt),
    verifiedBy: info.verifiedBy,
    body: text,
    meta: { event: info.event, botId: info.botId, contentType, output: routed.output, extra: extraMeta(routed.message.payload) },
  };
}

export class Intake {
  private closed = false;
  /**
   * Deliveries being received, until their answer is decided: at close, the ones a deploy cut short
   * say so in the journal (dropped, their sender retries) before the next instance of the node reads it.
   */
  private readonly handling = new Set<Promise<unknown>>();
  /** Bots (lower case) whose terminal event this process handed to the flow; a Set keeps insertion order, so the oldest goes first. */
  private readonly bots = new Set<string>();
  private startedOnce = false;
  /** The nodes a message from this node can reach, as of the last start of the flows. */
  private downstream: ReadonlySet<string> = new Set();
  private readonly now: () => number;
  private readonly journal: Promise<IntakeJournal | null>;

  constructor(private readonly parts: IntakeParts) {
    this.now = parts.now ?? Date.now;
    // Claims made anew (after a restart, or in another store) learn what the journal holds before
    // anything is claimed: a sender's retry of an entry, or another copy of its meeting, is a repeat.
    // Should that fail, a copy may get through: a duplicate beats a loss.
    this.journal = parts.claimsKnowJournal
      ? parts.journal
      : parts.journal.then(async (journal) => {
          if (journal) await rememberJournaled(journal.entries(), parts, this.now()).catch((error: unknown) => parts.events.failed(error));
          return journal;
        });
  }

  /** False once closed, and while a deploy restarts this node or what it is wired to. */
  get accepting(): boolean {
    return !this.closed && !this.parts.restarting();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The bots (lower-case ids) whose bot.completed or bot.failed this process handed to the flow. */
  get deliveredBots(): ReadonlySet<string> {
    return this.bots;
  }

  /** The 401 that the headers alone decide, or null when the body must be read. */
  beforeBody(headers: IncomingHttpHeaders): EarlyAnswer | null {
    const reason = this.parts.authenticator.rejectionBeforeBody(headers);
    if (reason === null) return null;
    this.parts.events.rejected(reason);
    return UNAUTHORIZED;
  }

  /** Takes a delivery whose body has been read; resolves with the answer for its sender, never rejects. */
  receive(headers: IncomingHttpHeaders, body: Buffer): Promise<EarlyAnswer> {
    const claim: Claim = {};
    const deciding = this.take(headers, body, claim).catch((error: unknown): Outcome => {
      this.parts.events.failed(error);
      return answered(INTERNAL_ERROR);
    });
    this.handling.add(deciding);
    void deciding.finally(() => this.handling.delete(deciding));
    return deciding.then((outcome) => this.conclude(claim, outcome));
  }

  private async take(headers: IncomingHttpHeaders, bytes: Buffer, claim: Claim): Promise<Outcome> {
    const { authenticator, repeats, meetings, events } = this.parts;
    const auth = authenticator.authenticate(headers, bytes);
    if (!auth.ok) {
      events.rejected(auth.reason);
      return answered(UNAUTHORIZED);
    }
    // Only a verified signature makes the Svix id trustworthy, and only the id of the headers it was verified with.
    const deliveryId = deliveryKey(auth.verifiedBy === 'svix' ? auth.messageId : null, bytes);
    // Opened, and what it holds remembered, before this delivery can be claimed.
    const journal = await this.journal;
    const claimed = await repeats.claim(deliveryId);
    if (claimed === 'new') claim.deliveryId = deliveryId;
    if (!this.accepting) return answered(RESTARTING);
    if (claimed === 'repeat') {
      events.repeat();
      return answered(DUPLICATE);
    }
    if (claimed === 'busy') return answered(COPY_BUSY);

    const contentType = headers['content-type'];
    const body = readDelivery(bytes, contentType);
    const routed = routeDelivery(body, { deliveryId, verifiedBy: auth.verifiedBy, receivedAt: new Date(this.now()) }, this.parts.routing);
    const info = routed.message.meetingbaas;

    // Another copy of a meeting that already reached the flow (the account webhook's, a retry
    // with a fresh sent_at): acknowledged, not sent on. Its own id stays remembered too.
    const meeting = meetings.enabled && routed.output !== OUTPUT.invalid ? meetingKey(info.event, info.botId) : null;
    if (meeting !== null) {
      const meetingClaim = await meetings.claim(meeting);
      if (meetingClaim === 'repeat') {
        events.repeat();
        return answered(DUPLICATE);
      }
      // Another instance is handling a copy of the meeting: this copy's sender retries.
      if (meetingClaim === 'busy') return answered(COPY_BUSY);
      claim.meeting = meeting;
    }

    if (journal) {
      const kept = journal.keep(journalRecord(routed, bytes.toString('utf8'), contentType ?? null));
      claim.kept = { journal, ref: kept.ref };
      info.journal = { node: kept.ref.node, entry: kept.ref.entry };
      // Not on disk: a 2xx now would lose the delivery in a crash. The sender retries a 503.
      if (!(await kept.written.then(() => true, () => false))) return answered(NOT_SAVED);
      // A deploy that began while the delivery was being written stopped the flow it was for.
      if (!this.accepting) return answered(RESTARTING);
    }

    // Had a deploy stopped the receiving nodes in between, the message is gone: ask for a retry.
    if (!(await this.parts.send(routed))) return answered(RESTARTING);
    if (claim.kept) this.handedOver(claim.kept.journal, claim.kept.ref.entry, routed.output);
    this.noteDelivered(routed);
    events.delivered(routed, 'received');
    // Authentic deliveries are acknowledged even when invalid: a 4xx would make Meeting BaaS drop them for good.
    return body.kind === 'unsupported-media-type' ? { answer: NOT_JSON_TYPE, handedOver: true } : answered(RECEIVED);
  }

  /** A delivery the flow has: its claims stay. Any other outcome gives them up, and the journal entry, before the answer. */
  private async conclude(claim: Claim, { answer, handedOver }: Outcome): Promise<EarlyAnswer> {
    const { repeats, meetings } = this.parts;
    if (claim.deliveryId === undefined) return answer;
    if (handedOver) {
      repeats.settle(claim.deliveryId);
      if (claim.meeting !== undefined) meetings.settle(claim.meeting);
      return answer;
    }
    claim.kept?.journal.withdraw(claim.kept.ref);
    await Promise.all([repeats.forget(claim.deliveryId), claim.meeting !== undefined ? meetings.forget(claim.meeting) : undefined]);
    return answer;
  }

  /**
   * A journaled delivery the flow has not finished with, sent again as it was received, as attempt
   * `attempt`; `replayed` when someone asked for it. Resolves with whether the flow has it: one
   * that was not handed over stays unfinished, and is sent again at the next start or deploy.
   */
  async redeliver(entry: JournalEntry, text: string, attempt: number, replayed = false): Promise<boolean> {
    try {
      const contentType = typeof entry.meta.contentType === 'string' ? entry.meta.contentType : undefined;
      const verifiedBy: DeliverySource = DELIVERY_SOURCES.find((by) => by === entry.verifiedBy) ?? 'none';
      const context = { deliveryId: entry.deliveryId, verifiedBy, receivedAt: new Date(entry.receivedAt) };
      const routed = routeDelivery(readDelivery(Buffer.from(text, 'utf8'), contentType), context, this.parts.routing);
      const info = routed.message.meetingbaas;
      info.journal = { node: this.parts.nodeId, entry: entry.seq };
      info.redelivered = attempt;
      if (replayed) info.replayed = true;
      if (verifiedBy === 'api') info.recovered = true;
      const journal = await this.journal;
      if (!journal || this.closed) return false;
      if (!(await this.parts.send(routed))) return false;
      this.handedOver(journal, entry.seq, routed.output);
      this.noteDelivered(routed);
      this.parts.events.delivered(routed, 'redelivered');
      return true;
    } catch (error) {
      this.parts.events.failed(error);
      return false;
    }
  }

  /**
   * A meeting the catch-up found: the same steps as a delivery received (a copy of a meeting
   * already in the flow is left out, the journal keeps it before it is sent), with no sender to
   * answer. False when it was not sent: the next look tries again.
   */
  async recover(botId: string, recovered: RecoveredDelivery): Promise<boolean> {
    const { meetings } = this.parts;
    const journal = await this.journal;
    if (!this.accepting) return false;
    const meeting = meetingKey(recovered.event, botId);
    const meetingClaim = meeting === null ? 'new' : await meetings.claim(meeting);
    if (meetingClaim === 'repeat') return true;
    // Another instance is handling it: the next look sees whether it got through.
    if (meetingClaim === 'busy') return false;
    const text = JSON.stringify(recovered);
    const deliveryId = `api:${recovered.event}:${botId}`;
    const context = { deliveryId, verifiedBy: 'api' as const, receivedAt: new Date(this.now()) };
    const routed = routeDelivery(readDelivery(Buffer.from(text, 'utf8'), 'application/json'), context, this.parts.routing);
    const info = routed.message.meetingbaas;
    info.recovered = true;
    let ref: JournalRef | null = null;
    const notSent = async (): Promise<false> => {
      if (journal && ref) journal.withdraw(ref);
      if (meeting !== null) await meetings.forget(meeting);
      return false;
    };
    if (journal) {
      const kept = journal.keep(journalRecord(routed, text, 'application/json'));
      ref = kept.ref;
      info.journal = { node: kept.ref.node, entry: kept.ref.entry };
      if (!(await kept.written.then(() => true, () => false))) return notSent();
    }
    if (!this.accepting) return notSent();
    if (!(await this.parts.send(routed))) return notSent();
    if (journal && ref) this.handedOver(journal, ref.entry, routed.output);
    if (meeting !== null) meetings.settle(meeting);
    this.noteDelivered(routed);
    this.parts.events.delivered(routed, 'recovered');
    return true;
  }

  /**
   * The flows run: which outputs lead to a node that says when the flow is done with a delivery,
   * then what was left unfinished is sent again: everything after this node started, after that
   * only what a deploy of the nodes further down interrupted.
   */
  async flowsStarted(flowNodes: () => readonly FlowNode[]): Promise<void> {
    const journal = await this.journal;
    if (!journal || this.closed) return;
    const { nodeId, inFlow } = this.parts;
    // The nodes as they are once the journal is open: a deploy may have come meanwhile.
    const nodes = flowNodes();
    journal.setFinishers(finishersByOutput(nodes, nodeId));
    this.downstream = downstreamOf(nodes, nodeId);
    const first = !this.startedOnce;
    this.startedOnce = true;
    const stillInFlow = journal.unfinishedOf(inFlow);
    inFlow.clear();
    for (const entry of stillInFlow) inFlow.add(entry);
    await (first ? journal.redeliverUnfinished(inFlow) : journal.redeliverInterrupted());
  }

  /**
   * A deploy is stopping `stopped` (null: everything). One that stops a node further down drops
   * what that node held (core nodes say nothing): those entries are sent again once the flows run.
   */
  flowsStopping(stopped: ReadonlySet<string> | null): void {
    const { inFlow } = this.parts;
    if (inFlow.size === 0) return;
    if (stopped !== null && ![...this.downstream].some((id) => stopped.has(id))) return;
    const interrupted = [...inFlow];
    inFlow.clear();
    void this.journal.then((journal) => journal?.interrupt(interrupted));
  }

  /** Takes nothing more: deliveries that arrive now are asked to retry, the catch-up and the journal's sendings are refused. */
  close(): void {
    this.closed = true;
  }

  /** Resolves once the deliveries being received have their answer decided, or after `ms`: a deploy must not hang on a stuck one. */
  settled(ms: number): Promise<void> {
    return settledWithin([...this.handling], ms);
  }

  private handedOver(journal: IntakeJournal, entry: number, output: number): void {
    if (journal.handedOver({ node: this.parts.nodeId, entry }, output) === 'finished') return;
    this.parts.inFlow.add(entry);
  }

  private noteDelivered(routed: RoutedDelivery): void {
    const { event, botId } = routed.message.meetingbaas;
    if (botId === null || meetingKey(event, botId) === null) return;
    this.bots.add(botId.toLowerCase());
    if (this.bots.size > MAX_DELIVERED_BOTS) this.bots.delete(this.bots.values().next().value ?? '');
  }
}
