#!/usr/bin/env node
// Makes the simulator's sample meeting: simulator-assets/meeting.flac (speech synthesised with
// espeak-ng, joined with sox, encoded as 11 kHz mono FLAC, small enough to commit) and simulator-assets/meeting-script.json
// (who says what, and when, measured from the audio itself so the transcript matches it).
// Run once by hand and commit both files; the simulator only reads them.
//   apt-get install -y espeak-ng sox flac && node scripts/make-simulator-audio.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const assets = join(root, 'simulator-assets');
const SAMPLE_RATE = 11025;
const PAUSE_SECONDS = 0.4;

const speakers = [
  { name: 'Alice Martin', id: 1, voice: 'en-us+f3' },
  { name: 'Bob Chen', id: 2, voice: 'en-gb+m3' },
];

const lines = [
  { speaker: 'Alice Martin', text: 'Good morning everyone, thanks for joining the weekly planning call.' },
  { speaker: 'Bob Chen', text: 'Morning Alice. The new release is ready for testing.' },
  { speaker: 'Alice Martin', text: 'Great work. Let us ship it on Friday.' },
  { speaker: 'Bob Chen', text: 'Sounds good. I will send the notes after the meeting.' },
];

const work = mkdtempSync(join(tmpdir(), 'mb-audio-'));
try {
  const parts = [];
  const timeline = [];
  let cursor = 0;
  const silence = join(work, 'pause.wav');
  execFileSync('sox', ['-n', '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', silence, 'trim', '0', String(PAUSE_SECONDS)]);
  lines.forEach((line, index) => {
    const voice = speakers.find((s) => s.name === line.speaker).voice;
    const spoken = join(work, `line-${index}-raw.wav`);
    const resampled = join(work, `line-${index}.wav`);
    execFileSync('espeak-ng', ['-v', voice, '-s', '175', '-w', spoken, line.text]);
    // espeak pads both ends with silence; trimming it keeps utterance times close to the speech.
    execFileSync('sox', [spoken, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', resampled,
      'silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse']);
    const seconds = Number(execFileSync('soxi', ['-D', resampled], { encoding: 'utf8' }).trim());
    if (index > 0) {
      parts.push(silence);
      cursor += PAUSE_SECONDS;
    }
    parts.push(resampled);
    timeline.push({ speaker: line.speaker, text: line.text, start: round(cursor), end: round(cursor + seconds) });
    cursor += seconds;
  });
  const joined = join(work, 'meeting.wav');
  execFileSync('sox', [...parts, joined]);
  execFileSync('flac', ['--silent', '--force', '--best', '-o', join(assets, 'meeting.flac'), joined]);

  const script = {
    about: 'Sample meeting of the Meeting BaaS simulator. Made by scripts/make-simulator-audio.mjs; times in seconds, measured from meeting.flac.',
    audio: 'meeting.flac',
    duration: round(cursor),
    speakers: speakers.map(({ name, id }) => ({ name, id })),
    utterances: timeline,
  };
  writeFileSync(join(assets, 'meeting-script.json'), `${JSON.stringify(script, null, 2)}\n`);
  const size = statSync(join(assets, 'meeting.flac')).size;
  console.log(`meeting.flac: ${round(cursor)} s, ${Math.round(size / 1024)} KiB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function round(seconds) {
  return Math.round(seconds * 1000) / 1000;
}
