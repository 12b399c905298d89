// Reading a delivery's raw bytes with a limit, and deciding whether they are JSON.
import type { IncomingMessage } from 'node:http';

export type RawBody =
  | { readonly kind: 'complete'; readonly bytes: Buffer }
  | { readonly kind: 'too-large'; readonly drained: boolean }
  | { readonly kind: 'aborted' };

/**
 * Reads the whole body, keeping at most `limit` bytes. Past the limit the rest is read and
 * discarded up to `drainLimit` bytes so the sender sees the 413 instead of a reset connection;
 * past that, reading stops (`drained: false`) and the connection must be closed.
 */
export function readRawBody(req: IncomingMessage, limit: number, drainLimit: number): Promise<RawBody> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > drainLimit) {
      resolve({ kind: 'too-large', drained: false });
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (result: RawBody): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= limit) {
        chunks.push(chunk);
      } else if (received > drainLimit) {
        req.pause();
        settle({ kind: 'too-large', drained: false });
      } else if (chunks.length > 0) {
        chunks.length = 0;
      }
    };
    const onEnd = (): void => {
      settle(received > limit ? { kind: 'too-large', drained: true } : { kind: 'complete', bytes: Buffer.concat(chunks, received) });
    };
    const onAbort = (): void => settle({ kind: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

export type ParsedBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'unsupported-media-type'; readonly contentType: string; readonly text: string }
  | { readonly kind: 'not-json'; readonly text: string; readonly problem: string };

/** `application/json`, `application/*+json`, or no Content-Type at all; UTF-8 if a charset is named. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const [mediaType = '', ...params] = contentType.toLowerCase().split(';');
  const type = mediaType.trim();
  if (type !== 'application/json' && !(type.startsWith('application/') && type.endsWith('+json'))) return false;
  for (const param of params) {
    const [name, value = ''] = param.split('=');
    if (name?.trim() === 'charset' && !['utf-8', 'utf8'].includes(value.trim().replace(/^"|"$/g, ''))) return false;
  }
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parseJsonBody(bytes: Buffer, contentType: string | undefined): ParsedBody {
  if (!isJsonContentType(contentType)) {
    return { kind: 'unsupported-media-type', contentType: contentType ?? '', text: bytes.toString('utf8') };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'not-json', text: bytes.toString('utf8'), problem: 'the body is not valid UTF-8' };
  }
  if (text.trim() === '') return { kind: 'not-json', text, problem: 'the body is empty' };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch (error) {
    return { kind: 'not-json', text, problem: `the body is not valid JSON (${(error as Error).message})` };
  }
}
