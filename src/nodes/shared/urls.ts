// Where a callback node listens and how Meeting BaaS reaches it: one answer for the runtime (the
// route, the test delivery, the bot's callback_config) and the editors (the URLs they show). Pure:
// the editors are bundled with it.
import { CALLBACK_TYPE, type CallbackMethod } from './defaults';

/**
 * Characters a callback path may hold: those of RFC 3986 paths that clients send as they are,
 * and %XX escapes. Left out: `:` and `*` (read as parameters and wildcards by whoever types
 * them), `?` and `#` (they end a path), and characters some clients escape and others do not.
 */
export const PATH_RULE = /^(?:[A-Za-z0-9\-._~!$&'()+,;=@/]|%[0-9A-Fa-f]{2})+$/;

export type PathProblem = 'missing' | 'characters';

export function pathProblem(path: string): PathProblem | null {
  if (path === '' || path === '/') return path === '' ? 'missing' : null;
  if (!PATH_RULE.test(path)) return 'characters';
  // Clients resolve dot segments before sending, so such a path would never be asked for.
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return 'characters';
  return null;
}

/** `httpNodeRoot` as the routes use it: a string, `/` when unset. False (endpoints off) is for the caller to refuse. */
export function httpRootOf(httpNodeRoot: unknown): string {
  return typeof httpNodeRoot === 'string' ? httpNodeRoot : '/';
}

/** The path under httpNodeRoot that a callback node's `url` setting makes: what the httpNode app sees. */
export function routePath(url: unknown): string {
  return `/${typeof url === 'string' ? url.trim() : ''}`.replace(/\/{2,}/g, '/');
}

/** The path a client asks for: httpNodeRoot and the node's `url`, with single slashes between them. */
export function nodePath(httpNodeRoot: unknown, url: unknown): string {
  return `/${httpRootOf(httpNodeRoot)}${routePath(url)}`.replace(/\/{2,}/g, '/');
}

/** A public base URL (`https://host/prefix/`) without its trailing slashes. */
export function publicBase(publicUrl: unknown): string {
  return typeof publicUrl === 'string' ? publicUrl.trim().replace(/\/+$/, '') : '';
}

/** publicUrl + httpNodeRoot + path: the address Meeting BaaS calls back. */
export function callbackUrl(publicUrl: unknown, httpNodeRoot: unknown, url: unknown): string {
  return `${publicBase(publicUrl)}${nodePath(httpNodeRoot, url)}`;
}

/** The method a sender uses for a callback node: PUT for a PUT node, POST otherwise (`any` takes both). */
export function callbackMethod(method: unknown): 'POST' | 'PUT' {
  return typeof method === 'string' && method.toLowerCase() === 'put' ? 'PUT' : 'POST';
}

/** A callback node's setting as a method it answers; anything else is the default, POST. */
export function callbackMethodOf(method: unknown): CallbackMethod {
  const name = typeof method === 'string' ? method.toLowerCase() : '';
  return name === 'put' || name === 'any' ? name : 'post';
}

/** What a flow definition says about a callback node, read tolerantly: flows may be old or hand-written. */
export interface CallbackSettings {
  readonly id: string;
  readonly url: string;
  readonly method: 'POST' | 'PUT';
  readonly account: string | undefined;
}

interface FlowNodeLike {
  readonly id: string;
  readonly type: string;
  readonly url?: unknown;
  readonly method?: unknown;
  readonly account?: unknown;
}

/**
 * The settings of the callback node `id` among the nodes `eachNode` visits (the runtime's flow
 * definitions or the editor's nodes): its node keeps its path and method to itself.
 */
export function findCallbackSettings(eachNode: (visit: (node: FlowNodeLike) => void) => void, id: string): CallbackSettings | null {
  let found: CallbackSettings | null = null;
  eachNode((node) => {
    if (found || node.id !== id || node.type !== CALLBACK_TYPE) return;
    found = {
      id,
      url: typeof node.url === 'string' ? node.url.trim() : '',
      method: callbackMethod(node.method),
      account: typeof node.account === 'string' && node.account !== '' ? node.account : undefined,
    };
  });
  return found;
}
