// The messages "fetch artifacts" sends for what it fetched: pure, so that their shape is
// tested without a Node-RED. Output 1 carries fetched artifacts, output 2 skipped ones;
// failures are not messages but the node's error (see the runtime).
import type { NodeMessageInFlow } from 'node-red';
import type { ArtifactName } from '../../lib/artifacts/names';
import type { Fetched, Outcome } from '../../lib/artifacts/fetch';
import type { SkipReason } from '../../lib/artifacts/input';
import type { SavedArtifact } from '../../lib/delivery/journal';

export type Msg = NodeMessageInFlow & Record<string, unknown>;

export interface OutputOptions {
  /** One message with every artifact once all are in, instead of one message per artifact. */
  readonly single: boolean;
  /** The bot id read from the delivery (null: none). */
  readonly botId: string | null;
  /** Node-RED's cloneMessage: each message sent is a copy of the input message. */
  readonly clone: (msg: Msg) => Msg;
  /** The user's words for why an artifact was skipped. */
  readonly skipText: (artifact: ArtifactName, reason: SkipReason) => string;
}

/** The messages for each output, in order: [output 1, output 2]. */
export type OutputMessages = [Msg[], Msg[]];

function base(input: Msg, options: OutputOptions): Msg {
  const out = options.clone(input);
  out.botId = options.botId;
  out.delivery = input.payload;
  return out;
}

function fetchedMessage(input: Msg, fetched: Fetched, options: OutputOptions): Msg {
  const out = base(input, options);
  out.topic = fetched.artifact;
  out.artifact = fetched.artifact;
  out.payload = fetched.payload;
  out.contentType = fetched.contentType;
  out.size = fetched.size;
  if (fetched.path) out.filename = fetched.path;
  if (fetched.text !== undefined) out.text = fetched.text;
  if (fetched.subtitles !== undefined) out.subtitles = fetched.subtitles;
  if (fetched.subtitlesPath !== undefined) out.subtitlesFile = fetched.subtitlesPath;
  out.refreshed = fetched.refreshed;
  if (fetched.alreadySaved) out.alreadySaved = true;
  return out;
}

function skippedMessage(input: Msg, artifact: ArtifactName, reason: SkipReason, options: OutputOptions): Msg {
  const out = base(input, options);
  const message = options.skipText(artifact, reason);
  out.topic = artifact;
  out.artifact = artifact;
  out.skipped = { reason, message };
  out.payload = message;
  return out;
}

/** All artifacts in one message on output 1: payload and artifacts keyed by artifact name. */
function singleMessage(input: Msg, outcomes: readonly Outcome[], options: OutputOptions): Msg {
  const out = base(input, options);
  const payload: Record<string, unknown> = {};
  const artifacts: Record<string, unknown> = {};
  for (const o of outcomes) {
    if (o.status !== 'fetched') continue;
    payload[o.artifact] = o.payload;
    artifacts[o.artifact] = { contentType: o.contentType, size: o.size, filename: o.path, refreshed: o.refreshed, ...(o.alreadySaved ? { alreadySaved: true } : {}) };
    if (o.text !== undefined) out.text = o.text;
    if (o.subtitles !== undefined) out.subtitles = o.subtitles;
    if (o.subtitlesPath !== undefined) out.subtitlesFile = o.subtitlesPath;
  }
  out.payload = payload;
  out.artifacts = artifacts;
  out.skipped = outcomes.flatMap((o) => (o.status === 'skipped' ? [{ artifact: o.artifact, reason: o.reason, message: options.skipText(o.artifact, o.reason) }] : []));
  return out;
}

/**
 * What to send for `outcomes` of the input message `input`. One per artifact: a message per
 * fetched (output 1) or skipped (output 2) outcome, called as each one is known. Single: called
 * once with all of them, one message on output 1, none when any failed.
 */
export function outputMessages(input: Msg, outcomes: readonly Outcome[], options: OutputOptions): OutputMessages {
  if (options.single) {
    return outcomes.some((o) => o.status === 'failed') ? [[], []] : [[singleMessage(input, outcomes, options)], []];
  }
  const fetched: Msg[] = [];
  const skipped: Msg[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'fetched') fetched.push(fetchedMessage(input, outcome, options));
    if (outcome.status === 'skipped') skipped.push(skippedMessage(input, outcome.artifact, outcome.reason, options));
  }
  return [fetched, skipped];
}

/**
 * The saved files to tell the callback node of, for its journal and the sidebar: each artifact
 * fetched, in a file (its path) or a message (null), and the subtitles made of a transcript as a
 * line of their own (artifact `subtitles`), so that every file this node writes is listed.
 */
export function savedFiles(outcomes: readonly Outcome[]): SavedArtifact[] {
  return outcomes.flatMap((o): SavedArtifact[] => {
    if (o.status !== 'fetched') return [];
    const artifact: SavedArtifact = { artifact: o.artifact, bytes: o.size, path: o.path ?? null };
    if (o.subtitlesSize === undefined) return [artifact];
    return [artifact, { artifact: 'subtitles', bytes: o.subtitlesSize, path: o.subtitlesPath ?? null }];
  });
}
