// The links to a bot's recording and transcript, as Meeting BaaS names them both in a bot.completed
// and in GET /v2/bots/{id}. One list for the delivery, the details answer and the API stand-in, so
// that what a flow gets from the callback and from a refresh of its links cannot drift apart.

/** In the order the OpenAPI document lists them (the tests compare with the simulator's extract). */
export const ARTIFACT_NAMES = ['video', 'audio', 'diarization', 'raw_transcription', 'transcription', 'chat_messages'] as const;

export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

/** A bot's artifact links: a signed URL each, or null where it has none (video for an audio_only bot). */
export type ArtifactUrls = Record<ArtifactName, string | null>;

function linksBy(link: (name: ArtifactName) => string | null): ArtifactUrls {
  return {
    video: link('video'),
    audio: link('audio'),
    diarization: link('diarization'),
    raw_transcription: link('raw_transcription'),
    transcription: link('transcription'),
    chat_messages: link('chat_messages'),
  };
}

/**
 * The link fields of a delivery or a details answer: `links` (which may hold other fields too)
 * narrowed to the six, in the documented order, for spreading where the document places them.
 */
export function linkFields(links: ArtifactUrls): ArtifactUrls {
  return linksBy((name) => links[name]);
}

/** Every link null: a bot that failed, or whose data was deleted. */
export function noLinks(): ArtifactUrls {
  return linksBy(() => null);
}
