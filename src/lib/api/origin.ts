// Where the API key may go. It is the one secret that spends the account's money, so it is
// sent only to the configured API address, and only encrypted, except to this very machine
// (the simulator and tests), where there is no network to read it on.
import { problem } from '../problem';
import { ApiError } from './errors';
import { isLoopback } from './loopback';

/** The base URL as a URL, or an ApiError('refused') saying why the key must not go there. */
export function checkApiBase(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new ApiError('refused', 'api-url', { problems: [problem('not-a-url', { url: baseUrl })] });
  }
  if (url.username !== '' || url.password !== '') {
    throw new ApiError('refused', 'api-url', { problems: [problem('credentials-in-url')] });
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ApiError('refused', 'api-url', { problems: [problem('query-in-url')] });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  throw new ApiError('refused', 'api-url', { problems: [problem('not-https', { origin: url.origin })] });
}

/** `{base}{path}`, keeping a path prefix of the base (a proxy); never another origin. */
export function apiUrl(base: URL, path: string): URL {
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  return url;
}
