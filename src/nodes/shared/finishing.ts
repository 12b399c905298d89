// Between the nodes of this package in one Node-RED: the callback node that journaled a
// delivery owns it, and the nodes further down the flow (fetch artifacts, meeting done) say
// when the flow is done with it, through the reference the message carries.
import { isRecord } from '../../lib/records';

import type { SavedArtifact } from '../../lib/delivery/journal';

/** `msg.meetingbaas.journal`: which callback node journaled the delivery, and as which entry. */
export interface JournalRef {
  readonly node: string;
  readonly entry: number;
}

export interface DeliveryOwner {
  finished(entry: number): void;
  /** The flow gave up on it this time (an error it reported): one more attempt is used up. */
  failed(entry: number, problem: string): void;
  /** A node stopped working on it because a deploy stopped that node: send it again once the flows run. */
  interrupted(entry: number): void;
  /** What the flow saved of it (fetch artifacts: each file, or buffer, with its size). */
  saved(entry: number, files: readonly SavedArtifact[]): void;
}

type Report = { readonly entry: number } & (
  | { readonly kind: 'finished' }
  | { readonly kind: 'failed'; readonly problem: string }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'saved'; readonly files: readonly SavedArtifact[] }
);

const owners = new Map<string, DeliveryOwner>();
/**
 * Reports for a callback node that is being redeployed wait for its successor, which applies them
 * before it decides what to send again: without them, work the flow finished meanwhile would be
 * done twice. Bounded, oldest dropped first (such a delivery is then only sent once more).
 */
const waiting = new Map<string, Report[]>();
const MAX_WAITING_PER_NODE = 1000;

/** Makes `owner` the one told about the deliveries of callback node `nodeId`; returns a release. */
export function ownDeliveries(nodeId: string, owner: DeliveryOwner): () => void {
  owners.set(nodeId, owner);
  const reports = waiting.get(nodeId) ?? [];
  waiting.delete(nodeId);
  for (const report of reports) tell(owner, report);
  return () => {
    if (owners.get(nodeId) === owner) owners.delete(nodeId);
  };
}

/** Forgets what waits for a callback node that was deleted. */
export function forgetDeliveriesOf(nodeId: string): void {
  waiting.delete(nodeId);
}

export function journalRefOf(msg: unknown): JournalRef | null {
  if (!isRecord(msg) || !isRecord(msg.meetingbaas)) return null;
  const ref = msg.meetingbaas.journal;
  if (!isRecord(ref)) return null;
  const { node, entry } = ref;
  return typeof node === 'string' && typeof entry === 'number' && Number.isSafeInteger(entry) ? { node, entry } : null;
}

export function reportFinished(msg: unknown): void {
  report(msg, (entry) => ({ entry, kind: 'finished' }));
}

export function reportFailed(msg: unknown, problem: string): void {
  report(msg, (entry) => ({ entry, kind: 'failed', problem }));
}

export function reportInterrupted(msg: unknown): void {
  report(msg, (entry) => ({ entry, kind: 'interrupted' }));
}

/** Tells the callback node what was saved of the delivery; before `reportFinished`, so that a finished delivery shows its files. */
export function reportSaved(msg: unknown, files: readonly SavedArtifact[]): void {
  if (files.length === 0) return;
  report(msg, (entry) => ({ entry, kind: 'saved', files }));
}

function report(msg: unknown, make: (entry: number) => Report): void {
  const ref = journalRefOf(msg);
  if (!ref) return;
  const owner = owners.get(ref.node);
  if (owner) return tell(owner, make(ref.entry));
  const queue = waiting.get(ref.node) ?? [];
  queue.push(make(ref.entry));
  if (queue.length > MAX_WAITING_PER_NODE) queue.shift();
  waiting.set(ref.node, queue);
}

function tell(owner: DeliveryOwner, report: Report): void {
  if (report.kind === 'finished') owner.finished(report.entry);
  else if (report.kind === 'failed') owner.failed(report.entry, report.problem);
  else if (report.kind === 'saved') owner.saved(report.entry, report.files);
  else owner.interrupted(report.entry);
}
