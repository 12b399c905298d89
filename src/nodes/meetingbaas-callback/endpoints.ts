// The HTTP side of callback nodes: one route per path on RED.httpNode that outlives redeploys,
// and one middleware at the top of the root app that keeps each delivery's body from the admin
// app's parsers.
//
// Why not a plain route per node: in a real Node-RED the admin app parses JSON bodies before
// any httpNode route runs (the bytes a signature covers are gone), and between a node's close
// and its successor's start a plain route does not exist, so a delivery gets a 404 that
// Meeting BaaS never retries. Here a route stays while its path is being redeployed and
// answers 503 + Retry-After until the new node attaches; the root middleware marks the body as
// taken so the admin parsers leave it alone, and the route reads it once the method and the
// credentials in the headers have been checked, within limits of size, time and bytes in flight.
//
// The middleware and express must agree on which requests are a callback path's, or a request
// reaches the route with its body already parsed away: both read the target with parseurl, and
// the route is a regular expression built from the same rule as the middleware's lookup.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import parseurl from 'parseurl';
import { BytesInFlight, declaredLength, hasBody, readRawBody } from '../../lib/delivery/request-body';
import { CALLBACK_DEFAULTS } from '../shared/defaults';

/** An answer given from the request line and headers alone. */
export interface EarlyAnswer {
  readonly status: number;
  readonly body: object;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A live callback node, as the route sees it. */
export interface Endpoint {
  readonly bodyLimit: number;
  /** Longest time from the start of reading a body to its last byte. */
  readonly bodyTimeoutMs: number;
  /** False while a deploy restarts this node or what it is wired to: deliveries then get a 503. */
  accepting(): boolean;
  /** The answer the method and headers already decide (wrong method, credentials that cannot be right), or null to read the body. */
  beforeBody(req: IncomingMessage): EarlyAnswer | null;
  handle(req: Request, res: Response, body: Buffer): void;
  /** Called when a request arrives whose body something else has read: it cannot be authenticated. */
  onBodyUnavailable(): void;
  /** Called when another node takes, shares or leaves this endpoint's path. */
  onPathShared(othersOnPath: number, isPrimary: boolean): void;
}

export interface Attachment {
  /** `removed`: the node was deleted, so its route can go at once rather than after the redeploy grace. */
  detach(removed: boolean): void;
}

/** How long a path without a node keeps answering 503 before its route is removed. */
export const REDEPLOY_GRACE_MS = 30_000;
export const RETRY_AFTER_SECONDS = 2;
export const DEFAULT_BODY_LIMIT = CALLBACK_DEFAULTS.maxBodyKB * 1024;
export const DEFAULT_BODY_TIMEOUT_SECONDS = CALLBACK_DEFAULTS.bodyTimeoutSeconds;
/** Bodies of the node's size limit that may be read at once on one path; past that, 503. */
export const BODIES_IN_FLIGHT = 16;

/** After an early answer, what the sender still sends is read and dropped up to this size, so that it reads the answer instead of a reset. */
function drainLimit(limit: number): number {
  return Math.max(limit * 4, 8 * 1024 * 1024);
}

const CAPTURED = Symbol.for('meetingbaas.bodyCaptured');
type CapturingRequest = IncomingMessage & { [CAPTURED]?: true; _body?: boolean };

interface Layer {
  handle: unknown;
  route?: { stack: Array<{ handle: unknown }> };
}
/**
 * The internals of an express app this module relies on and express's typings leave out: the
 * router's layer stack (`_router` in express 4, `router` in 5) and the parent of a mounted app.
 * An Express app is one, all of these being optional.
 */
interface RouterApp {
  _router?: { stack: Layer[] };
  router?: { stack: Layer[] };
  parent?: RouterApp;
  path(): string;
  use(fn: unknown): unknown;
}

interface PathEntry {
  readonly routePath: string;
  readonly endpoints: Endpoint[];
  readonly dispatch: RequestHandler;
  readonly inFlight: BytesInFlight;
  retireTimer: NodeJS.Timeout | null;
}

/** The key of a path as typed: a leading slash, no repeated slashes, no trailing slash, lower case. */
export function normalisePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return asciiLowerCase(withSlash.replace(/\/{2,}/g, '/')).replace(/(.)\/$/, '$1');
}

function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The key a request path (inside httpNodeRoot) addresses: ASCII case folded, one trailing slash
 * dropped. `routePattern(key)` matches exactly the paths whose key this is: the keys hold only
 * ASCII, and a case-insensitive regular expression without the `u` flag never matches a
 * non-ASCII character to an ASCII one.
 */
function requestKey(pathname: string): string {
  const folded = asciiLowerCase(pathname);
  return folded.length > 1 && folded.endsWith('/') ? folded.slice(0, -1) : folded;
}

function routePattern(key: string): RegExp {
  return new RegExp(`^${escapeRegExp(key)}\\/?$`, 'i');
}

/**
 * The path below a mount point, as express strips it: the mount is matched case-insensitively up
 * to a slash or the end, with one slash after it taken too when another follows.
 */
function belowMount(pathname: string, mount: string): string | null {
  const pattern = mountPattern(mount);
  if (pattern === null) return pathname;
  const match = pattern.exec(pathname);
  if (!match) return null;
  const rest = pathname.slice(match[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

const mountPatterns = new Map<string, RegExp | null>();

/** null for the root, where express strips nothing. */
function mountPattern(mount: string): RegExp | null {
  let pattern = mountPatterns.get(mount);
  if (pattern === undefined) {
    const prefix = mount.replace(/\/+$/, '');
    pattern = prefix === '' ? null : new RegExp(`^${escapeRegExp(prefix)}\\/?(?=\\/|$)`, 'i');
    mountPatterns.set(mount, pattern);
  }
  return pattern;
}

function stackOf(app: RouterApp): Layer[] | null {
  return (app._router ?? app.router)?.stack ?? null;
}

function rootOf(app: RouterApp): RouterApp {
  return app.parent ? rootOf(app.parent) : app;
}

class EndpointRegistry {
  private readonly byPath = new Map<string, PathEntry>();

  constructor(
    private readonly httpNode: Express,
    private readonly nodeMiddleware: RequestHandler[],
  ) {
    this.installCapture();
  }

  attach(path: string, endpoint: Endpoint): Attachment {
    const key = normalisePath(path);
    let entry = this.byPath.get(key);
    if (!entry) {
      entry = this.createRoute(key);
      this.byPath.set(key, entry);
    }
    if (entry.retireTimer) {
      clearTimeout(entry.retireTimer);
      entry.retireTimer = null;
    }
    entry.endpoints.push(endpoint);
    this.announceSharing(entry);
    const owner = entry;
    return {
      detach: (removed: boolean) => {
        const index = owner.endpoints.indexOf(endpoint);
        if (index < 0) return;
        owner.endpoints.splice(index, 1);
        this.announceSharing(owner);
        if (owner.endpoints.length > 0) return;
        if (removed) {
          this.removeRoute(owner);
        } else {
          owner.retireTimer = setTimeout(() => this.removeRoute(owner), REDEPLOY_GRACE_MS);
          owner.retireTimer.unref();
        }
      },
    };
  }

  private announceSharing(entry: PathEntry): void {
    const count = entry.endpoints.length;
    entry.endpoints.forEach((endpoint, i) => endpoint.onPathShared(count - 1, i === 0));
  }

  private createRoute(key: string): PathEntry {
    const entry: PathEntry = {
      routePath: key,
      endpoints: [],
      retireTimer: null,
      inFlight: new BytesInFlight(),
      dispatch: (req: Request, res: Response) => receive(entry, req, res),
    };
    this.httpNode.all(routePattern(key), ...this.nodeMiddleware, entry.dispatch);
    return entry;
  }

  private removeRoute(entry: PathEntry): void {
    if (this.byPath.get(entry.routePath) !== entry || entry.endpoints.length > 0) return;
    this.byPath.delete(entry.routePath);
    const stack = stackOf(this.httpNode);
    if (!stack) return;
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i]?.route?.stack.some((layer) => layer.handle === entry.dispatch)) stack.splice(i, 1);
    }
  }

  /** The entry a request addresses, decided from its target as express decides it. */
  private entryFor(req: IncomingMessage): PathEntry | undefined {
    const pathname = parseurl(req)?.pathname;
    if (typeof pathname !== 'string') return undefined;
    const below = belowMount(pathname, this.httpNode.path());
    return below === null ? undefined : this.byPath.get(requestKey(below));
  }

  /**
   * Puts a middleware first on the root app, before the admin app's JSON parser, httpNodeAuth
   * and everything else. It reads nothing: it marks a callback path's body as taken, which
   * body-parser respects, and the route reads it.
   */
  private installCapture(): void {
    const root = rootOf(this.httpNode);
    const capture = (req: CapturingRequest, _res: ServerResponse, next: NextFunction): void => {
      if (!req[CAPTURED] && !req._body && !req.readableEnded && this.entryFor(req)) {
        req[CAPTURED] = true;
        req._body = true;
      }
      next();
    };
    root.use(capture);
    const stack = stackOf(root);
    const at = stack?.findIndex((layer) => layer.handle === capture) ?? -1;
    if (stack && at > 0) stack.unshift(...stack.splice(at, 1));
  }
}

function receive(entry: PathEntry, req: Request, res: Response): void {
  const live = entry.endpoints[0];
  if (!live || !live.accepting()) return answerBeforeBody(req, res, RESTARTING, RESTART_LIMITS);
  const capturing: CapturingRequest = req;
  if (!capturing[CAPTURED] && (capturing._body || req.readableEnded)) {
    live.onBodyUnavailable();
    return answerBeforeBody(req, res, BODY_UNAVAILABLE, live);
  }
  const early = live.beforeBody(req);
  if (early) return answerBeforeBody(req, res, early, live);
  const limit = live.bodyLimit;
  const declared = declaredLength(req);
  if (declared !== null && declared > drainLimit(limit)) return answerAndClose(res, tooLarge(limit));
  if (declared !== null && declared > limit) return answerBeforeBody(req, res, tooLarge(limit), live);

  let taken = 0;
  res.once('close', () => entry.inFlight.give(taken));
  const capacity = BODIES_IN_FLIGHT * limit;
  const reserve = (bytes: number): boolean => {
    if (!entry.inFlight.take(bytes, capacity)) return false;
    taken += bytes;
    return true;
  };
  void readRawBody(req, { limit, timeoutMs: live.bodyTimeoutMs, reserve }).then((raw) => {
    switch (raw.kind) {
      case 'complete': {
        // Whoever is live once the body is in answers: a redeploy may have happened meanwhile.
        const current = entry.endpoints[0];
        if (!current || !current.accepting()) return answerRead(res, RESTARTING);
        return current.handle(req, res, raw.bytes);
      }
      case 'too-large':
        return answerBeforeBody(req, res, tooLarge(limit), live);
      case 'over-capacity':
        return answerBeforeBody(req, res, BUSY, live);
      case 'timed-out':
        return answerAndClose(res, TIMED_OUT);
      case 'consumed':
        live.onBodyUnavailable();
        return answerAndClose(res, BODY_UNAVAILABLE);
      case 'aborted':
        return;
    }
  });
}

type BodyLimits = Pick<Endpoint, 'bodyLimit' | 'bodyTimeoutMs'>;
const RESTART_LIMITS: BodyLimits = { bodyLimit: DEFAULT_BODY_LIMIT, bodyTimeoutMs: DEFAULT_BODY_TIMEOUT_SECONDS * 1000 };

/** With a 503: Meeting BaaS tries again within its retries, and so do other senders that read it. */
export const RETRY_SHORTLY: Readonly<Record<string, string>> = { 'Retry-After': String(RETRY_AFTER_SECONDS) };
/** While a path's node is being redeployed, whether the body was read or not. */
export const RESTARTING: EarlyAnswer = { status: 503, body: { error: 'the callback node is restarting, retry shortly' }, headers: RETRY_SHORTLY };
const BUSY: EarlyAnswer = { status: 503, body: { error: 'too many deliveries being received at once, retry shortly' }, headers: RETRY_SHORTLY };
const TIMED_OUT: EarlyAnswer = { status: 408, body: { error: 'the body did not arrive in time' } };
// A 5xx: Meeting BaaS sends it again, and the fault is on this side.
const BODY_UNAVAILABLE: EarlyAnswer = { status: 500, body: { error: 'the body was read before this node could check it' } };

function tooLarge(limit: number): EarlyAnswer {
  return { status: 413, body: { error: `body over ${limit} bytes` } };
}

function writeHead(res: ServerResponse, answer: EarlyAnswer, payload: Buffer): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', payload.length);
}

/** Answers a request whose body was read to its end. */
export function answerRead(res: ServerResponse, answer: EarlyAnswer): void {
  if (res.headersSent) return;
  const payload = Buffer.from(JSON.stringify(answer.body));
  writeHead(res, answer, payload);
  res.end(payload);
}

/** Answers and closes the connection at once, whatever is left of the body (a sender that stalled, or one far past the limit). */
function answerAndClose(res: ServerResponse, answer: EarlyAnswer): void {
  if (res.headersSent) return;
  const payload = Buffer.from(JSON.stringify(answer.body));
  writeHead(res, answer, payload);
  res.setHeader('Connection', 'close');
  res.end(payload);
}

/**
 * Answers a request whose body has not been read (or not to its end). The answer goes out at
 * once, complete; the connection is then closed, because the unread rest of the body would be
 * read as the next request on it. Until then what the sender still sends is read and dropped,
 * within the drain limit and the time limit, so that it reads the answer instead of a reset.
 */
function answerBeforeBody(req: IncomingMessage, res: ServerResponse, answer: EarlyAnswer, limits: BodyLimits): void {
  if (res.headersSent) return;
  const payload = Buffer.from(JSON.stringify(answer.body));
  writeHead(res, answer, payload);
  if (req.readableEnded || !hasBody(req)) {
    res.end(payload);
    return;
  }
  res.setHeader('Connection', 'close');
  res.write(payload);
  const budget = drainLimit(limits.bodyLimit);
  let dropped = 0;
  const close = (): void => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', close);
    req.off('close', close);
    res.end();
  };
  const onData = (chunk: Buffer): void => {
    dropped += chunk.length;
    if (dropped > budget) close();
  };
  const timer = setTimeout(close, limits.bodyTimeoutMs);
  timer.unref();
  req.on('data', onData);
  req.once('end', close);
  req.once('close', close);
  req.resume();
}

/** settings.js may give httpNodeMiddleware as one function or, since Node-RED 3, as an array of them. */
export function httpNodeMiddlewareOf(configured: unknown): RequestHandler[] {
  const handlers: unknown[] = Array.isArray(configured) ? configured : [configured];
  return handlers.filter((handler): handler is RequestHandler => typeof handler === 'function');
}

const registries = new WeakMap<Express, EndpointRegistry>();

/** The registry of one Node-RED runtime's httpNode app, created with its first callback node. */
export function endpointRegistry(httpNode: Express, nodeMiddleware: RequestHandler[]): EndpointRegistry {
  let registry = registries.get(httpNode);
  if (!registry) {
    registry = new EndpointRegistry(httpNode, nodeMiddleware);
    registries.set(httpNode, registry);
  }
  return registry;
}
