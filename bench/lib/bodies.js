'use strict';
// A realistic bot.completed delivery of about 1 KB, with a distinct bot_id per number.
const TEMPLATE = JSON.stringify({
  event: 'bot.completed',
  data: {
    bot_id: '@@BOT@@',
    event_id: null,
    participants: [
      { name: 'Ada Lovelace', id: 1 },
      { name: 'Alan Turing', id: 2, display_name: 'Alan' },
      { name: 'Grace Hopper', id: 3 },
    ],
    speakers: [{ name: 'Ada Lovelace', id: 1 }, { name: 'Grace Hopper', id: 3 }],
    duration_seconds: 1830,
    joined_at: '2026-11-27T09:00:05Z',
    exited_at: '2026-11-27T09:30:35Z',
    data_deleted: false,
    video: 'https://artifacts.example-storage.com/bots/@@BOT@@/video.mp4?X-Amz-Expires=14400&X-Amz-Signature=0f3c9d1e2b7a',
    audio: 'https://artifacts.example-storage.com/bots/@@BOT@@/audio.flac?X-Amz-Expires=14400&X-Amz-Signature=7b1e2f09ac44',
    diarization: 'https://artifacts.example-storage.com/bots/@@BOT@@/diarization.jsonl?X-Amz-Expires=14400&X-Amz-Signature=aa01',
    raw_transcription: 'https://artifacts.example-storage.com/bots/@@BOT@@/raw.json?X-Amz-Expires=14400&X-Amz-Signature=bb02',
    transcription: 'https://artifacts.example-storage.com/bots/@@BOT@@/transcription.json?X-Amz-Expires=14400&X-Amz-Signature=cc03',
    transcription_provider: 'gladia',
    transcription_ids: ['tr_123'],
    sent_at: '2026-11-27T09:31:00Z',
  },
  extra: { crm_id: 'deal-42', owner: 'sales@example.com' },
});

/** A UUID-shaped id that is unique per (salt, n). */
function botId(n, salt = 0) {
  const hex = n.toString(16).padStart(12, '0').slice(-12);
  const s = (salt & 0xfff).toString(16).padStart(3, '0');
  return `6f1c2a3b-9d4e-4${s}-8a7b-${hex}`;
}

function completedBody(n, salt = 0) {
  return TEMPLATE.split('@@BOT@@').join(botId(n, salt));
}

module.exports = { completedBody, botId, TEMPLATE_BYTES: Buffer.byteLength(completedBody(1)) };
