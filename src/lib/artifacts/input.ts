// What to fetch, read from the message a user wires in: a callback node's `bot.completed`
// delivery, a `GET /v2/bots/{id}` response, or a plain object with `bot_id` and URLs.
import { isRecord } from '../records';
import { ARTIFACT_FIELDS, artifactUrls, type ArtifactName } from './names';

export type SkipReason = 'data-deleted' | 'null' | 'missing';

export interface ArtifactRequest {
  readonly botId: string | null;
  readonly urls: Partial<Record<ArtifactName, string>>;
  readonly skipped: ReadonlyArray<{ readonly artifact: ArtifactName; readonly reason: SkipReason }>;
}

/** The object holding `bot_id` and the URLs, whichever envelope it came in. */
export function artifactData(payload: unknown): { readonly [field: string]: unknown } | null {
  if (!isRecord(payload)) return null;
  const { data } = payload;
  if (isRecord(data) && (typeof payload.event === 'string' || 'success' in payload || !('bot_id' in payload))) return data;
  return payload;
}

/** `["video", "audio"]`, `"video, audio"` or `"all"` → artifact names; unknown names are reported. */
export function parseArtifactList(value: unknown): { names: ArtifactName[]; unknown: string[] } {
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  const cleaned = items.map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (cleaned.length === 0 || cleaned.includes('all')) return { names: [...ARTIFACT_FIELDS], unknown: [] };
  const names = ARTIFACT_FIELDS.filter((name) => cleaned.includes(name));
  const unknown = cleaned.filter((s) => !(ARTIFACT_FIELDS as readonly string[]).includes(s));
  return { names, unknown };
}

export function readArtifactRequest(payload: unknown, wanted: readonly ArtifactName[]): ArtifactRequest | null {
  const data = artifactData(payload);
  if (!data) return null;
  const botId = typeof data.bot_id === 'string' ? data.bot_id : null;
  const deleted = data.data_deleted === true || data.artifacts_deleted === true;
  const all = artifactUrls({ data });
  const urls: Partial<Record<ArtifactName, string>> = {};
  const skipped: Array<{ artifact: ArtifactName; reason: SkipReason }> = [];
  for (const artifact of wanted) {
    const url = all[artifact];
    if (deleted) skipped.push({ artifact, reason: 'data-deleted' });
    else if (url !== undefined) urls[artifact] = url;
    else {
      const present = artifact in data || (artifact === 'video' && 'mp4' in data);
      skipped.push({ artifact, reason: present ? 'null' : 'missing' });
    }
  }
  return { botId, urls, skipped };
}
