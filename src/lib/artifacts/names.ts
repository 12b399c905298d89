// The artifacts a bot.completed links to. Pure (no Node.js imports): the editors are bundled
// with it, so that the list a user picks from is the list the runtime reads.
import { isRecord } from '../records';

/** The signed links a `bot.completed` may carry, each checked as a URL whenever present. */
export const ARTIFACT_FIELDS = [
  'video',
  'audio',
  'transcription',
  'raw_transcription',
  'diarization',
  'chat_messages',
] as const;
export type ArtifactName = (typeof ARTIFACT_FIELDS)[number];

/** The artifact URLs of a `bot.completed` delivery, `mp4` read as `video`. */
export function artifactUrls(payload: unknown): Partial<Record<ArtifactName, string>> {
  const data = isRecord(payload) && isRecord(payload.data) ? payload.data : {};
  const urls: Partial<Record<ArtifactName, string>> = {};
  for (const name of ARTIFACT_FIELDS) {
    const value = name === 'video' ? (data.video ?? data.mp4) : data[name];
    if (typeof value === 'string' && value !== '') urls[name] = value;
  }
  return urls;
}
