// Counts the bytes of a body as they pass: progress, the size cap while reading (for bodies
// whose length was not announced), and the check that what arrived is what was announced.
import { Transform } from 'node:stream';
import { DownloadError, redactUrl } from './download-errors';

export interface MeterOptions {
  readonly maxBytes: number;
  readonly onProgress?: (received: number, expected: number | null) => void;
}

export class Meter extends Transform {
  /** Bytes that passed through this meter (not counting `offset`). */
  received = 0;

  /** `offset` bytes are already on disk (a resumed download); they count towards the cap and the progress. */
  constructor(
    private readonly url: string,
    private readonly options: MeterOptions,
    private readonly expected: number | null,
    private readonly offset = 0,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    this.received += chunk.length;
    const total = this.offset + this.received;
    if (total > this.options.maxBytes) {
      callback(new DownloadError('too-large', { url: redactUrl(this.url), limit: this.options.maxBytes }));
      return;
    }
    this.options.onProgress?.(total, this.expected);
    callback(null, chunk);
  }

  /** Throws `length-mismatch` unless the whole announced length arrived. Call once the body ended. */
  checkComplete(): void {
    const total = this.offset + this.received;
    if (this.expected !== null && total !== this.expected) {
      throw new DownloadError('length-mismatch', {
        url: redactUrl(this.url),
        size: total,
        expected: this.expected,
      });
    }
  }
}
