// The journaled deliveries of one callback node: kept on disk before the answer, finished when
// the flow says so (or on handover where nothing further down can say it), sent again after a
// restart or a redeploy while unfinished, and parked once their attempts are used up.
import { rm } from 'node:fs/promises';
import { DeliveryJournal, type JournalDelivery, type JournalEntry, type JournalError } from '../../lib/journal';
import { forgetDeliveriesOf, ownDeliveries, type JournalRef } from '../shared/finishing';

export interface JournalingOptions {
  readonly nodeId: string;
  readonly file: string;
  /** Finished entries are kept this long: the repeat window. */
  readonly retentionMs: number;
  /** Sendings after the first; an unfinished delivery that used them up is parked. */
  readonly maxRedeliveries: number;
}

/** What the node is told; codes, so that it can say them in the user's language. */
export interface JournalingEvents {
  /** Send this delivery again, as attempt `attempt` (1, 2, …). */
  redeliver(entry: JournalEntry, body: string, attempt: number): void;
  parked(entry: JournalEntry): void;
  /** `skipped-records`: torn or damaged records were skipped at open; `write-failed`, `compaction-failed`. */
  problem(code: 'skipped-records' | 'write-failed' | 'compaction-failed' | 'read-failed', detail: string): void;
}

export interface KeptDelivery {
  readonly ref: JournalRef;
  /** Resolves once the delivery is on disk; rejects when it could not be written. */
  readonly written: Promise<void>;
}

const COMPACT_EVERY_MS = 10 * 60 * 1000;

export class JournaledDeliveries {
  private finishers: readonly boolean[] = [];
  /** Entries a deploy interrupted further down the flow, to send again once the flows run. */
  private readonly interrupted = new Set<number>();
  private readonly releaseOwnership: () => void;
  private readonly compactTimer: NodeJS.Timeout;

  private constructor(
    private readonly journal: DeliveryJournal,
    private readonly options: JournalingOptions,
    private readonly events: JournalingEvents,
  ) {
    this.releaseOwnership = ownDeliveries(options.nodeId, {
      finished: (entry) => void this.journal.finish(entry).catch(() => undefined),
      failed: (entry, problem) => void this.journal.attempt(entry, problem).catch(() => undefined),
      interrupted: (entry) => this.interrupted.add(entry),
    });
    this.compactTimer = setInterval(() => void this.journal.compact(), COMPACT_EVERY_MS);
    this.compactTimer.unref();
  }

  static async open(options: JournalingOptions, events: JournalingEvents): Promise<JournaledDeliveries> {
    const { journal, skippedRecords } = await DeliveryJournal.open(options.file, {
      retentionMs: options.retentionMs,
      onCompactionError: (error: JournalError) => events.problem('compaction-failed', error.detail),
    });
    if (skippedRecords > 0) events.problem('skipped-records', String(skippedRecords));
    return new JournaledDeliveries(journal, options, events);
  }

  /** Which outputs lead to a node that finishes deliveries; the others finish on handover. */
  setFinishers(byOutput: readonly boolean[]): void {
    this.finishers = byOutput;
  }

  /** Every entry the journal still holds, for the repeat filter to recognise their copies after a restart. */
  entries(): JournalEntry[] {
    return this.journal.list(Number.MAX_SAFE_INTEGER);
  }

  counts(): { unfinished: number; parked: number } {
    const unfinished = this.journal.unfinished();
    return { unfinished: unfinished.length, parked: unfinished.filter((e) => e.parked !== null).length };
  }

  keep(delivery: JournalDelivery): KeptDelivery {
    const { seq, written } = this.journal.append(delivery);
    return {
      ref: { node: this.options.nodeId, entry: seq },
      written: written.catch((error: JournalError) => {
        this.events.problem('write-failed', error.detail);
        throw error;
      }),
    };
  }

  /** The message is with the wired nodes: where no finishing node follows, that is all the flow will say. */
  handedOver(ref: JournalRef, output: number): 'finished' | 'in-flow' {
    if (this.finishers[output] === true) return 'in-flow';
    void this.journal.finish(ref.entry).catch(() => undefined);
    return 'finished';
  }

  /** Gives up on a delivery that was not handed over after all (the sender is asked to retry). */
  withdraw(ref: JournalRef): void {
    void this.journal.drop(ref.entry).catch(() => undefined);
  }

  /**
   * Sends every unfinished delivery again, oldest first, or parks it when its attempts are used up.
   * `stillInFlow`: handed over in this process to nodes that are still running, so not sent twice.
   */
  redeliverUnfinished(stillInFlow: ReadonlySet<number> = new Set()): Promise<void> {
    const entries = this.journal.unfinished().filter((e) => !stillInFlow.has(e.seq) || this.interrupted.has(e.seq));
    this.interrupted.clear();
    return this.redeliver(entries);
  }

  /** A deploy stopped nodes these entries were in: send them again once the flows run. */
  interrupt(entries: Iterable<number>): void {
    for (const entry of entries) this.interrupted.add(entry);
  }

  /** Of `entries`, those the flow has not finished with. */
  unfinishedOf(entries: ReadonlySet<number>): Set<number> {
    return new Set(this.journal.unfinished().flatMap((e) => (entries.has(e.seq) ? [e.seq] : [])));
  }

  /** Sends again what a deploy interrupted further down the flow since the last time. */
  redeliverInterrupted(): Promise<void> {
    const entries = this.journal.unfinished().filter((e) => this.interrupted.has(e.seq));
    this.interrupted.clear();
    return this.redeliver(entries);
  }

  private async redeliver(entries: readonly JournalEntry[]): Promise<void> {
    for (const entry of entries) {
      if (entry.parked !== null) continue;
      if (entry.attempts >= this.options.maxRedeliveries) {
        await this.journal.park(entry.seq, entry.lastProblem ?? 'unfinished').catch(() => undefined);
        const parked = this.journal.get(entry.seq);
        if (parked) this.events.parked(parked);
        continue;
      }
      let body: string;
      try {
        body = await this.journal.body(entry.seq);
      } catch (error) {
        this.events.problem('read-failed', (error as Error).message);
        continue;
      }
      await this.journal.attempt(entry.seq, entry.lastProblem).catch(() => undefined);
      const updated = this.journal.get(entry.seq) ?? entry;
      this.events.redeliver(updated, body, updated.attempts);
    }
  }

  /** `removed`: the node was deleted, and its journal goes with it. */
  async close(removed: boolean): Promise<void> {
    clearInterval(this.compactTimer);
    this.releaseOwnership();
    await this.journal.close();
    if (removed) {
      forgetDeliveriesOf(this.options.nodeId);
      await rm(this.options.file, { force: true });
    }
  }
}
