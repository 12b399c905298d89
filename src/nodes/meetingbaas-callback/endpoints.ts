// The HTTP side of callback nodes: one route per path on RED.httpNode that outlives redeploys,
// and one middleware at the top of the root app that keeps each delivery's raw bytes.
//
// Why not a plain route per node: in a real Node-RED the admin app parses JSON bodies before
// any httpNode route runs (the bytes a signature covers are gone), and between a node's close
// and its successor's start a plain route does not exist, so a delivery gets a 404 that
// Meeting BaaS never retries. Here a route stays while its path is being redeployed and
// answers 503 + Retry-After until the new node attaches; the raw body is read before the admin
// parsers, with this package's own size limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { readRawBody, type RawBody } from '../../lib/request-body';

/** A live callback node, as the route sees it. */
export interface Endpoint {
  readonly bodyLimit: number;
  /** False while a deploy restarts this node or what it is wired to: deliveries then get a 503. */
  accepting(): boolean;
  handle(req: Request, res: Response, body: RawBody): void;
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

/** Bodies past the limit are read and dropped up to this size so the sender reads the 413. */
function drainLimit(limit: number): number {
  return Math.max(limit * 4, 8 * 1024 * 1024);
}

const RAW_BODY = Symbol.for('meetingbaas.rawBody');
type CapturingRequest = IncomingMessage & { [RAW_BODY]?: Promise<RawBody>; _body?: boolean };

interface Layer {
  handle: unknown;
  route?: { stack: Array<{ handle: unknown }> };
}
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
  retireTimer: NodeJS.Timeout | null;
}

export function normalisePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1').toLowerCase();
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
      dispatch: (req: Request, res: Response) => {
        // Whoever is live once the body is in answers: a redeploy may have happened meanwhile.
        const answerWith = (raw: RawBody): void => {
          const current = entry.endpoints[0];
          if (!current || !current.accepting()) return answerRestarting(res);
          current.handle(req, res, raw);
        };
        const captured = (req as CapturingRequest)[RAW_BODY];
        if (captured) return void captured.then(answerWith);
        // Without the root middleware (e.g. an embedding app without a parent), read the body here.
        const live = entry.endpoints[0];
        if (!live || !live.accepting()) return answerRestarting(res);
        void readRawBody(req, live.bodyLimit, drainLimit(live.bodyLimit)).then(answerWith);
      },
    };
    this.httpNode.all(key, ...this.nodeMiddleware, entry.dispatch);
    return entry;
  }

  private removeRoute(entry: PathEntry): void {
    if (this.byPath.get(entry.routePath) !== entry || entry.endpoints.length > 0) return;
    this.byPath.delete(entry.routePath);
    const stack = stackOf(this.httpNode as unknown as RouterApp);
    if (!stack) return;
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i]?.route?.stack.some((layer) => layer.handle === entry.dispatch)) stack.splice(i, 1);
    }
  }

  /** Full request path (with httpNodeRoot) → the entry it addresses. */
  private entryForUrl(url: string): PathEntry | undefined {
    const mount = (this.httpNode as unknown as RouterApp).path();
    const queryAt = url.indexOf('?');
    const pathname = normalisePath(queryAt < 0 ? url : url.slice(0, queryAt));
    const prefix = normalisePath(mount || '/');
    if (prefix === '/') return this.byPath.get(pathname);
    if (!pathname.startsWith(prefix + '/')) return undefined;
    return this.byPath.get(pathname.slice(prefix.length));
  }

  /**
   * Puts the raw-body reader first on the root app, so that it runs before the admin app's
   * JSON parser, httpNodeAuth and everything else; it only reads, the route answers.
   */
  private installCapture(): void {
    const root = rootOf(this.httpNode as unknown as RouterApp);
    const capture = (req: CapturingRequest, _res: ServerResponse, next: NextFunction): void => {
      const entry = req[RAW_BODY] ? undefined : this.entryForUrl(req.url ?? '');
      if (entry) {
        const limit = entry.endpoints[0]?.bodyLimit ?? DEFAULT_BODY_LIMIT;
        req[RAW_BODY] = readRawBody(req, limit, drainLimit(limit));
        // body-parser skips requests marked as parsed: the bytes stay ours.
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

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function answerRestarting(res: ServerResponse): void {
  if (res.headersSent) return;
  res.statusCode = 503;
  res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.setHeader('Content-Type', 'application/json');
  res.end('{"error":"the callback node is restarting, retry shortly"}');
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
