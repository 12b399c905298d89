// Meeting BaaS transcripts in forms a person can use without code: plain text for an e-mail
// or an LLM prompt, SRT and WebVTT subtitles; and the diarization file (JSON Lines) parsed.
import { problem, problemCode, type Problem } from '../problem';
import { isRecord } from '../records';

export interface Utterance {
  readonly speaker: string;
  /** Seconds from the start of the recording. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly words: ReadonlyArray<{ readonly word: string; readonly start: number; readonly end: number }>;
}

function seconds(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function speakerName(value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return `Speaker ${value}`;
  return 'Unknown speaker';
}

/**
 * The utterances of a `transcription` artifact (`{result: {utterances}}`), in time order.
 * Tolerates the bare `{utterances}` and a bare array; anything unusable becomes an empty list.
 */
export function utterancesOf(transcription: unknown): Utterance[] {
  const root = isRecord(transcription) ? transcription : null;
  const result = root && isRecord(root.result) ? root.result : root;
  const list = Array.isArray(transcription) ? transcription : result?.utterances;
  if (!Array.isArray(list)) return [];
  const out: Utterance[] = [];
  for (const u of list) {
    if (!isRecord(u)) continue;
    const words = Array.isArray(u.words)
      ? u.words.filter(isRecord).flatMap((w) => (typeof w.word === 'string' ? [{ word: w.word.trim(), start: seconds(w.start), end: seconds(w.end) }] : []))
      : [];
    const text = typeof u.text === 'string' ? u.text.trim() : words.map((w) => w.word).join(' ');
    if (text === '') continue;
    const start = seconds(u.start);
    out.push({ speaker: speakerName(u.speaker), start, end: Math.max(start, seconds(u.end)), text, words });
  }
  return out.sort((a, b) => a.start - b.start);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function clock(totalSeconds: number, fraction: ',' | '.' | null): string {
  const ms = Math.round(totalSeconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const base = `${pad(h)}:${pad(m)}:${pad(s)}`;
  return fraction === null ? base : `${base}${fraction}${pad(ms % 1000, 3)}`;
}

/** `[00:01:05] Alice: Hello everyone.` one line per utterance; consecutive lines of one speaker stay separate. */
export function transcriptText(utterances: readonly Utterance[]): string {
  return utterances.map((u) => `[${clock(u.start, null)}] ${u.speaker}: ${u.text}`).join('\n') + (utterances.length ? '\n' : '');
}

interface Cue {
  readonly start: number;
  readonly end: number;
  readonly speaker: string;
  readonly text: string;
}

/** Subtitles longer than this are split at word boundaries, using the word timings. */
const MAX_CUE_CHARS = 84;

function cuesOf(utterances: readonly Utterance[]): Cue[] {
  const cues: Cue[] = [];
  for (const u of utterances) {
    if (u.text.length <= MAX_CUE_CHARS || u.words.length === 0) {
      cues.push({ start: u.start, end: u.end, speaker: u.speaker, text: u.text });
      continue;
    }
    let words: Utterance['words'][number][] = [];
    const flush = (): void => {
      const first = words[0];
      const last = words[words.length - 1];
      if (first && last) {
        cues.push({ start: first.start, end: Math.max(first.start, last.end), speaker: u.speaker, text: words.map((w) => w.word).join(' ') });
      }
      words = [];
    };
    for (const word of u.words) {
      const length = words.reduce((n, w) => n + w.word.length + 1, 0) + word.word.length;
      if (words.length > 0 && length > MAX_CUE_CHARS) flush();
      words.push(word);
    }
    flush();
  }
  return cues;
}

/** SubRip: numbered cues, `00:00:01,000 --> 00:00:02,500`, the speaker before the text. */
export function toSrt(utterances: readonly Utterance[]): string {
  return cuesOf(utterances)
    .map((c, i) => `${i + 1}\n${clock(c.start, ',')} --> ${clock(c.end, ',')}\n${c.speaker}: ${c.text}\n`)
    .join('\n');
}

function vttEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** WebVTT with voice spans (`<v Alice>`), which players show as the speaker. */
export function toWebVtt(utterances: readonly Utterance[]): string {
  const cues = cuesOf(utterances).map(
    (c) => `${clock(c.start, '.')} --> ${clock(c.end, '.')}\n<v ${vttEscape(c.speaker)}>${vttEscape(c.text)}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}

/**
 * A segment of the diarization, passed on as storage sent it: documented with `speaker`,
 * `start_time` and `end_time`, which nothing here reads or checks.
 */
export type DiarizationSegment = { readonly [field: string]: unknown };

/** Why the diarization could not be read, as codes for the node to say. */
export const PARSE_PROBLEMS = [
  /** `line` (from 1), `detail`: the JSON parser's own message. */
  'line-not-json',
  'not-a-list',
] as const;
export type ParseProblem = Problem<(typeof PARSE_PROBLEMS)[number]>;

export class ArtifactParseError extends Error {
  constructor(readonly problem: ParseProblem) {
    super(problemCode(problem));
    this.name = 'ArtifactParseError';
  }
}

/** Parses JSON Lines; blank lines are skipped, a bad line is reported with its number. */
export function parseJsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line));
    } catch (error) {
      throw new ArtifactParseError(problem('line-not-json', { line: index + 1, detail: error instanceof Error ? error.message : String(error) }));
    }
  });
  return out;
}

/** The diarization artifact as an array; also accepts a JSON array, which some exports use. */
export function parseDiarization(text: string): DiarizationSegment[] {
  const trimmed = text.trimStart();
  const items = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown) : parseJsonLines(text);
  if (!Array.isArray(items)) throw new ArtifactParseError(problem('not-a-list'));
  return items.filter(isRecord);
}
