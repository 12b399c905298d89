// The simulator's sample meeting and the artifact documents made from it. Everything a
// transcript says comes from simulator-assets/meeting-script.json, whose times were measured
// from meeting.flac when both were made, so text, speakers and audio agree.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** simulator-assets/ at the package root; this file is simulator/meeting.js once compiled. */
export const DEFAULT_ASSETS_DIRECTORY = join(__dirname, '..', 'simulator-assets');

export interface ScriptSpeaker {
  readonly name: string;
  readonly id: number;
}

export interface ScriptLine {
  readonly speaker: string;
  readonly text: string;
  /** Seconds from the start of the recording. */
  readonly start: number;
  readonly end: number;
}

export interface MeetingScript {
  readonly duration: number;
  readonly speakers: readonly ScriptSpeaker[];
  readonly utterances: readonly ScriptLine[];
}

export interface SampleMeeting {
  readonly script: MeetingScript;
  /** meeting.flac as read from disk. */
  readonly audio: Buffer;
}

export function loadSampleMeeting(assetsDirectory: string = DEFAULT_ASSETS_DIRECTORY): SampleMeeting {
  const script = parseScript(JSON.parse(readFileSync(join(assetsDirectory, 'meeting-script.json'), 'utf8')));
  const audio = readFileSync(join(assetsDirectory, 'meeting.flac'));
  return { script, audio };
}

/** Checks the hand-made file once, so that the rest of the simulator can trust its shape. */
function parseScript(value: unknown): MeetingScript {
  const fail = (why: string): never => {
    throw new Error(`simulator-assets/meeting-script.json: ${why}`);
  };
  if (!isRecord(value)) return fail('not an object');
  const { duration, speakers, utterances } = value;
  if (typeof duration !== 'number') return fail('"duration" must be a number');
  if (!Array.isArray(speakers) || !Array.isArray(utterances)) return fail('"speakers" and "utterances" must be arrays');
  const parsedSpeakers = speakers.map((s: unknown): ScriptSpeaker => {
    if (!isRecord(s) || typeof s.name !== 'string' || typeof s.id !== 'number') return fail('bad speaker');
    return { name: s.name, id: s.id };
  });
  const parsedLines = utterances.map((u: unknown): ScriptLine => {
    if (!isRecord(u) || typeof u.speaker !== 'string' || typeof u.text !== 'string') return fail('bad utterance');
    if (typeof u.start !== 'number' || typeof u.end !== 'number') return fail('bad utterance times');
    if (!parsedSpeakers.some((s) => s.name === u.speaker)) return fail(`unknown speaker ${u.speaker}`);
    return { speaker: u.speaker, text: u.text, start: u.start, end: u.end };
  });
  return { duration, speakers: parsedSpeakers, utterances: parsedLines };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** When the meeting took place, for a delivery sent at `sentAt`: it ended a minute before (processing time). */
export interface MeetingTimes {
  readonly joinedAt: Date;
  readonly exitedAt: Date;
}

const PROCESSING_MS = 60_000;

export function meetingTimes(script: MeetingScript, sentAt: Date): MeetingTimes {
  const exitedAt = new Date(sentAt.getTime() - PROCESSING_MS);
  const joinedAt = new Date(exitedAt.getTime() - Math.ceil(script.duration) * 1000);
  return { joinedAt, exitedAt };
}

/**
 * A UUID (version 4 layout) derived from a seed, so that the same bot always gets the same
 * transcription ids and a refreshed URL serves the same documents.
 */
export function derivedUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function transcriptionIds(botId: string): string[] {
  return [derivedUuid(`gladia:${botId}`)];
}

export interface TranscriptWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
}

export interface TranscriptUtterance {
  text: string;
  language: string;
  start: number;
  end: number;
  confidence: number;
  channel: number;
  words: TranscriptWord[];
  speaker: string;
}

/** The documented `transcription` artifact. */
export interface TranscriptionDocument {
  bot_id: string;
  provider: string;
  result: {
    utterances: TranscriptUtterance[];
    languages: string[];
    total_utterances: number;
    total_duration: number;
  };
  created_at: string;
}

const LANGUAGE = 'en';
const CONFIDENCE = 0.93;

/**
 * Word times are shared out within each utterance in proportion to word length: espeak-ng
 * gives no word timings, and a transcript only needs them to be ordered and inside the utterance.
 */
function wordsOf(line: ScriptLine): TranscriptWord[] {
  const words = line.text.split(/\s+/).filter((w) => w !== '');
  const weights = words.map((w) => w.length + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const span = line.end - line.start;
  let at = line.start;
  return words.map((word, i) => {
    const start = at;
    at += (span * (weights[i] ?? 1)) / total;
    return { word, start: round(start), end: round(i === words.length - 1 ? line.end : at), confidence: CONFIDENCE };
  });
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export function transcriptionDocument(script: MeetingScript, botId: string, createdAt: Date): TranscriptionDocument {
  const utterances = script.utterances.map((line) => ({
    text: line.text,
    language: LANGUAGE,
    start: line.start,
    end: line.end,
    confidence: CONFIDENCE,
    channel: 0,
    words: wordsOf(line),
    speaker: line.speaker,
  }));
  return {
    bot_id: botId,
    provider: 'gladia',
    result: {
      utterances,
      languages: [LANGUAGE],
      total_utterances: utterances.length,
      total_duration: script.duration,
    },
    created_at: createdAt.toISOString(),
  };
}

/** The `raw_transcription` artifact: the provider's (Gladia's) own result, speakers as numbers. */
export function rawTranscriptionDocument(script: MeetingScript, botId: string, createdAt: Date): object {
  const speakerIndex = (name: string): number => script.speakers.findIndex((s) => s.name === name);
  const [jobId] = transcriptionIds(botId);
  return {
    bot_id: botId,
    transcriptions: [
      {
        id: jobId,
        request_id: `G-${(jobId ?? '').slice(0, 8)}`,
        kind: 'pre-recorded',
        status: 'done',
        created_at: createdAt.toISOString(),
        completed_at: createdAt.toISOString(),
        file: { audio_duration: script.duration, number_of_channels: 1 },
        result: {
          metadata: {
            audio_duration: script.duration,
            number_of_distinct_channels: 1,
            billing_time: script.duration,
            transcription_time: 2.1,
          },
          transcription: {
            full_transcript: script.utterances.map((u) => u.text).join(' '),
            languages: [LANGUAGE],
            utterances: script.utterances.map((line) => ({
              text: ` ${line.text}`,
              language: LANGUAGE,
              start: line.start,
              end: line.end,
              confidence: CONFIDENCE,
              channel: 0,
              speaker: speakerIndex(line.speaker),
              words: wordsOf(line).map((w) => ({ ...w, word: ` ${w.word}` })),
            })),
          },
        },
      },
    ],
    created_at: createdAt.toISOString(),
  };
}

export interface DiarizationEntry {
  speaker: string;
  start_time: number;
  end_time: number;
  user_id: number;
  lang: string;
}

export function diarizationEntries(script: MeetingScript): DiarizationEntry[] {
  return script.utterances.map((line) => ({
    speaker: line.speaker,
    start_time: line.start,
    end_time: line.end,
    user_id: script.speakers.find((s) => s.name === line.speaker)?.id ?? 0,
    lang: LANGUAGE,
  }));
}

/** The `diarization` artifact: JSON Lines, one speaker turn a line. */
export function diarizationJsonLines(script: MeetingScript): string {
  return diarizationEntries(script)
    .map((entry) => JSON.stringify(entry))
    .join('\n')
    .concat('\n');
}

export interface ChatMessage {
  message_id: string;
  sender_name: string;
  sender_id: number;
  text: string;
  timestamp: string;
}

/** The `chat_messages` artifact: what was typed in the meeting chat while people spoke. */
export function chatMessages(script: MeetingScript, botId: string, joinedAt: Date): ChatMessage[] {
  const [first, second] = script.speakers;
  const at = (seconds: number): string => new Date(joinedAt.getTime() + seconds * 1000).toISOString();
  const messages: ChatMessage[] = [];
  if (second) {
    messages.push({
      message_id: derivedUuid(`chat:${botId}:1`),
      sender_name: second.name,
      sender_id: second.id,
      text: 'Release checklist: https://example.com/release-checklist',
      timestamp: at(Math.min(5, script.duration)),
    });
  }
  if (first) {
    messages.push({
      message_id: derivedUuid(`chat:${botId}:2`),
      sender_name: first.name,
      sender_id: first.id,
      text: 'Friday it is. Thanks all!',
      timestamp: at(Math.min(10, script.duration)),
    });
  }
  return messages;
}
