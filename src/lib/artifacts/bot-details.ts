// Fresh signed URLs for a bot: `GET {baseUrl}/v2/bots/{bot_id}`. Signed URLs expire 4 hours
// after a delivery is sent; the API signs new ones, valid 4 more hours, on every call.
import { request } from 'undici';
import { readableErrors, validateBotDetails, type GetBotDetailsResponse } from '../validation';
import { checkUrl, type AddressPolicy } from './address-policy';
import type { HttpClient } from './http-client';

export type BotDetails = GetBotDetailsResponse['data'];

export type BotDetailsErrorKind = 'auth' | 'not-found' | 'status' | 'invalid' | 'network' | 'refused';

export class BotDetailsError extends Error {
  constructor(
    readonly kind: BotDetailsErrorKind,
    readonly detail: string,
    readonly statusCode?: number,
  ) {
    super(`GET /v2/bots: ${kind}${statusCode ? ` (HTTP ${statusCode})` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'BotDetailsError';
  }
}

const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export interface BotDetailsOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly client: HttpClient;
  readonly policy: AddressPolicy;
  readonly signal?: AbortSignal;
}

export async function fetchBotDetails(botId: string, options: BotDetailsOptions): Promise<BotDetails> {
  const url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/v2/bots/${encodeURIComponent(botId)}`);
  const refusal = checkUrl(url, options.policy);
  if (refusal) throw new BotDetailsError('refused', refusal.message);
  let text: string;
  let statusCode: number;
  try {
    const response = await request(url, {
      dispatcher: options.client.dispatcher,
      method: 'GET',
      headers: { 'x-meeting-baas-api-key': options.apiKey, accept: 'application/json' },
      signal: options.signal,
    });
    statusCode = response.statusCode;
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      length += chunk.length;
      // Throwing leaves the loop, which destroys the body.
      if (length > MAX_RESPONSE_BYTES) {
        throw new BotDetailsError('invalid', `response over ${MAX_RESPONSE_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    text = Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof BotDetailsError) throw error;
    const code = (error as { code?: string }).code === 'ERR_MEETINGBAAS_ADDRESS_REFUSED' ? 'refused' : 'network';
    throw new BotDetailsError(code, error instanceof Error ? error.message : String(error), (error as { statusCode?: number }).statusCode);
  }
  if (statusCode === 401 || statusCode === 403) throw new BotDetailsError('auth', '', statusCode);
  if (statusCode === 404) throw new BotDetailsError('not-found', botId, statusCode);
  if (statusCode < 200 || statusCode >= 300) throw new BotDetailsError('status', text.slice(0, 200), statusCode);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BotDetailsError('invalid', 'not JSON');
  }
  if (!validateBotDetails(body)) {
    const errors = readableErrors(validateBotDetails.errors ?? []).slice(0, 3);
    throw new BotDetailsError('invalid', errors.map((e) => `${e.field} ${e.message}`).join('; '));
  }
  if (body.data.bot_id.toLowerCase() !== botId.toLowerCase()) {
    throw new BotDetailsError('invalid', `answer is about bot ${body.data.bot_id}`);
  }
  return body.data;
}
