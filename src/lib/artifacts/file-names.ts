// Where an artifact is written. The bot id comes from a message, so nothing in it may steer a
// file outside the chosen directory; the extension comes from what was served, because the
// docs disagree on formats (audio as FLAC or MP3) and a URL path proves nothing.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ArtifactName } from './names';
import { isBotId } from '../bot-id';
import { problem, problemCode, type Problem } from '../problem';

export const FILE_NAME_PROBLEMS = [
  'empty-template',
  /** `placeholder`: a name between < > other than bot_id, artifact, ext. */
  'unknown-placeholder',
  'no-artifact-placeholder',
  'absolute',
  'bad-characters',
  /** Empty, `.` or `..` parts. */
  'bad-segment',
  /** `botId`: the start of what was given. */
  'bad-bot-id',
  /** `ext`. */
  'bad-extension',
  'outside',
] as const;
export type FileNameProblem = Problem<(typeof FILE_NAME_PROBLEMS)[number]>;

export class FileNameError extends Error {
  constructor(readonly problem: FileNameProblem) {
    super(problemCode(problem));
    this.name = 'FileNameError';
  }
}

export { isBotId } from '../bot-id';

const PLACEHOLDER = /<([a-z_]+)>/g;
const KNOWN = new Set(['bot_id', 'artifact', 'ext']);

/** Why a template cannot be used, or null. Checked once when the node starts. */
export function templateProblem(template: string): FileNameProblem | null {
  if (template.trim() === '') return problem('empty-template');
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!KNOWN.has(name)) return problem('unknown-placeholder', { placeholder: name });
  }
  if (!template.includes('<artifact>')) return problem('no-artifact-placeholder');
  return segmentProblem(template.replace(PLACEHOLDER, 'x'));
}

function segmentProblem(path: string): FileNameProblem | null {
  if (isAbsolute(path) || path.startsWith('/') || /^[a-zA-Z]:/.test(path)) return problem('absolute');
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f]/.test(path)) return problem('bad-characters');
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return problem('bad-segment');
  return null;
}

export interface NameParts {
  readonly botId: string;
  readonly artifact: ArtifactName;
  readonly ext: string;
}

/** The absolute path for an artifact; throws when it would leave `directory`. */
export function artifactPath(directory: string, template: string, parts: NameParts): string {
  if (!isBotId(parts.botId)) throw new FileNameError(problem('bad-bot-id', { botId: String(parts.botId).slice(0, 60) }));
  if (!/^[a-z0-9]{1,8}$/.test(parts.ext)) throw new FileNameError(problem('bad-extension', { ext: parts.ext }));
  const values: Record<string, string> = { bot_id: parts.botId.toLowerCase(), artifact: parts.artifact, ext: parts.ext };
  const rel = template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
  const unusable = segmentProblem(rel);
  if (unusable) throw new FileNameError(unusable);
  const root = resolve(directory);
  const full = resolve(root, rel);
  const inside = relative(root, full);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    throw new FileNameError(problem('outside'));
  }
  return full;
}

const BY_CONTENT_TYPE: Readonly<Record<string, string>> = {
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/ogg': 'ogg',
  'audio/webm': 'webm',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'text/plain': 'txt',
  'text/vtt': 'vtt',
  'application/x-subrip': 'srt',
};

/** Media formats recognised by their first bytes. */
function sniff(head: Buffer): string | null {
  const ascii = (start: number, end: number): string => head.subarray(start, end).toString('latin1');
  if (ascii(4, 8) === 'ftyp') return /^M4A/.test(ascii(8, 11)) ? 'm4a' : 'mp4';
  if (ascii(0, 4) === 'fLaC') return 'flac';
  if (ascii(0, 3) === 'ID3') return 'mp3';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (ascii(0, 4) === 'OggS') return 'ogg';
  if (head.readUInt32BE(0) === 0x1a45dfa3) return 'webm';
  if (head.length >= 2 && head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0) return 'mp3';
  return null;
}

function looksLikeJson(head: Buffer): boolean {
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.startsWith('{') || text.startsWith('[');
}

/** The extension to write: the bytes first, then Content-Type, then what the artifact usually is. */
export function extensionFor(artifact: ArtifactName, contentType: string | null, head: Buffer): string {
  const sniffed = head.length >= 4 ? sniff(head.length >= 12 ? head : Buffer.concat([head, Buffer.alloc(12 - head.length)])) : null;
  if (sniffed) return sniffed;
  const fromType = contentType ? BY_CONTENT_TYPE[contentType] : undefined;
  // JSON Lines is often served as application/json or octet-stream: the artifact knows better.
  if (artifact === 'diarization' && (fromType === 'json' || (!fromType && looksLikeJson(head)))) return 'jsonl';
  if (fromType) return fromType;
  if (looksLikeJson(head)) return 'json';
  return 'bin';
}

const SNIFFED = ['mp4', 'm4a', 'flac', 'mp3', 'wav', 'ogg', 'webm'];

/** Every extension extensionFor can give: where an artifact saved earlier may be. */
export const POSSIBLE_EXTENSIONS: readonly string[] = [...new Set([...SNIFFED, ...Object.values(BY_CONTENT_TYPE), 'jsonl', 'json', 'bin'])];

/** The usual Content-Type of a file saved with `ext`, for reporting a file saved earlier. */
export function contentTypeForExtension(ext: string): string | null {
  const known = Object.entries(BY_CONTENT_TYPE).find(([, value]) => value === ext);
  if (known) return known[0];
  if (ext === 'bin') return 'application/octet-stream';
  return null;
}
