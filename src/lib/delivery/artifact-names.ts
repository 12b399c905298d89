// The artifacts a bot.completed links to. Pure (no Node.js imports): the editors are bundled
// with it, so that the list a user picks from is the list the runtime reads.

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
