// The journaled deliveries of one callback node: kept on disk before the answer, finished when
// the flow says so (or on handover where nothing further down can say it), sent again after a
// restart or a redeploy while unfinished, and parked once their attempts are used up.
import { rm } from 'node:fs/promises';
import { DeliveryJournal, type JournalDelivery, type JournalEntry, type JournalError } from '../../lib/delivery/journal';
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
  /** Told the entry whose state changed (kept, finished, sent again, parked, dropped): the sidebar's live updates. */
  private readonly watchers = new Set<(entry: number) => void>();

  private constructor(
    private readonly journal: DeliveryJournal,
    private readonly options: JournalingOptions,
    private readonly events: JournalingEvents,
  ) {
    this.releaseOwnership = ownDeliveries(options.nodeId, {
      finished: (entry) => void this.changing(entry, this.journal.finish(entry)),
      failed: (entry, problem) => void this.changing(entry, this.journal.attempt(entry, problem, true)),
      interrupted: (entry) => this.interrupted.add(entry),
      saved: (entry, files) => void this.changing(entry, this.journal.saved(entry, files)),
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

  /** Calls `watcher` with each entry whose state changes; returns a function that stops it. */
  watch(watcher: (entry: number) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Newest first, `limit` at most, below `beforeSeq`: a page, never the whole journal. */
  list(limit: number, beforeSeq: number): JournalEntry[] {
    return this.journal.list(limit, beforeSeq);
  }

  get(entry: number): JournalEntry | undefined {
    return this.journal.get(entry);
  }

  body(entry: number): Promise<string> {
    return this.journal.body(entry);
  }

  /** Someone said the flow is done with it (the sidebar's "Mark finished"). */
  finish(entry: number): Promise<void> {
    return this.changing(entry, this.journal.finish(entry));
  }

  /** Counts a sending that someone asked for (the sidebar's "Send again"); resolves with the entry as it is then. */
  async attemptAgain(entry: number): Promise<JournalEntry | undefined> {
    await this.changing(entry, this.journal.attempt(entry, this.journal.get(entry)?.lastProblem ?? null));
    return this.journal.get(entry);
  }

  private changing(entry: number, write: Promise<void>): Promise<void> {
    return write.then(
      () => this.changed(entry),
      () => undefined,
    );
  }

  private changed(entry: number): void {
    for (const watcher of this.watchers) {
      try {
        watcher(entry);
      } catch {
        // A watcher's failure is its own.
      }
    }
  }

  keep(delivery: JournalDelivery): KeptDelivery {
    const { seq, written } = this.journal.append(delivery);
    void written.then(() => this.changed(seq), () => undefined);
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
    void this.changing(ref.entry, this.journal.finish(ref.entry));
    return 'finished';
  }

  /** Gives up on a delivery that was not handed over after all (the sender is asked to retry). */
  withdraw(ref: JournalRef): void {
    void this.changing(ref.entry, this.journal.drop(ref.entry));
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
        await this.changing(entry.seq, this.journal.park(entry.seq, entry.lastProblem ?? 'unfinished'));
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
      await this.changing(entry.seq, this.journal.attempt(entry.seq, entry.lastProblem));
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
