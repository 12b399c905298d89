// Where the artifact node may connect. Signed URLs arrive in messages, so a forged or mistaken
// payload must not turn Node-RED into a client for its own network (cloud metadata, admin
// ports, the LAN). The check runs when a connection opens, after DNS, for every redirect hop.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { buildConnector } from 'undici';
import { problem, problemCode, type Problem } from '../problem';
import { undici } from '../undici';

export interface AddressPolicy {
  /** Plain http and private/loopback addresses: local servers and tests only. */
  readonly allowLocal: boolean;
  /** Host names allowed (exact, or `.example.com` / `*.example.com` for subdomains); empty means any. */
  readonly hosts: readonly string[];
  /** Resolver; replaceable so a test can make a name resolve to an address it cannot own. */
  readonly resolve?: (hostname: string) => Promise<readonly LookupAddress[]>;
}

/** Why a connection was refused: plain http, a host not allowed, or an address that is not public. */
export const REFUSAL_REASONS = ['scheme', 'host', 'address'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export class AddressRefusedError extends Error {
  readonly code = 'ERR_MEETINGBAAS_ADDRESS_REFUSED';
  /** The reason as a code, with `host` (and `address` for `address`) for the node to say it. */
  readonly problem: Problem<RefusalReason>;
  constructor(
    readonly reason: RefusalReason,
    readonly host: string,
    readonly address?: string,
  ) {
    const refusal = problem(reason, address === undefined ? { host } : { host, address });
    super(problemCode(refusal));
    this.problem = refusal;
    this.name = 'AddressRefusedError';
  }
}

/** Splits a user's "a.com, .b.com *.c.com" into normalised entries. */
export function parseHostList(text: string | readonly string[] | undefined): string[] {
  const items = typeof text === 'string' ? text.split(/[\s,]+/) : [...(text ?? [])];
  return items
    .map((h) => h.trim().toLowerCase().replace(/\.$/, ''))
    .filter((h) => h !== '')
    .map((h) => (h.startsWith('*.') ? h.slice(1) : h));
}

export function hostAllowed(hostname: string, hosts: readonly string[]): boolean {
  if (hosts.length === 0) return true;
  const host = normaliseHost(hostname);
  return hosts.some((entry) => (entry.startsWith('.') ? host.endsWith(entry) && host.length > entry.length : host === entry));
}

function normaliseHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** Checks what is known before any DNS: scheme, allowlist, and literal IP addresses. */
export function checkUrl(url: URL, policy: AddressPolicy): AddressRefusedError | null {
  return checkOrigin(url.protocol, url.hostname, policy);
}

function checkOrigin(protocol: string, hostname: string, policy: AddressPolicy): AddressRefusedError | null {
  const host = normaliseHost(hostname);
  if (!hostAllowed(host, policy.hosts)) return new AddressRefusedError('host', host);
  if (policy.allowLocal) return protocol === 'http:' || protocol === 'https:' ? null : new AddressRefusedError('scheme', host);
  if (protocol !== 'https:') return new AddressRefusedError('scheme', host);
  if (isIP(host) !== 0 && !isPublicAddress(host)) return new AddressRefusedError('address', host, host);
  return null;
}

// Ranges that are not the public internet (RFC 6890 and friends).
const V4_PRIVATE: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

function v4ToInt(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function v4Private(address: string): boolean {
  const n = v4ToInt(address);
  return V4_PRIVATE.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(base);
    return n >= start && n < start + size;
  });
}

/** The 8 16-bit groups of an IPv6 address, with an embedded dotted IPv4 tail expanded. */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const n = v4ToInt(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}

function v6Private(address: string): boolean {
  const g = v6Groups(address);
  const [a = 0, b = 0] = g;
  const zeroUpTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  const embeddedV4 = (): string => {
    const hi = g[6] ?? 0;
    const lo = g[7] ?? 0;
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  };
  if (zeroUpTo(8)) return true; // ::
  if (zeroUpTo(7) && g[7] === 1) return true; // ::1
  if (zeroUpTo(5) && g[5] === 0xffff) return v4Private(embeddedV4()); // IPv4-mapped
  if (zeroUpTo(6)) return true; // deprecated IPv4-compatible
  if (a === 0x64 && b === 0xff9b) return v4Private(embeddedV4()); // NAT64 of a public v4 is public
  if ((a & 0xfe00) === 0xfc00) return true; // unique local
  if ((a & 0xffc0) === 0xfe80) return true; // link local
  if ((a & 0xff00) === 0xff00) return true; // multicast
  if (a === 0x2001 && b === 0x0db8) return true; // documentation
  if (a === 0x2001 && b < 0x200) return true; // Teredo, benchmarking, ORCHID
  if (a === 0x2002) return true; // 6to4 can tunnel to anything
  if (a === 0x0100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return true; // discard-only
  return false;
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !v4Private(address);
  if (family === 6) return !v6Private(address);
  return false;
}

function systemResolve(hostname: string): Promise<readonly LookupAddress[]> {
  const options: LookupAllOptions = { all: true };
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, options, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });
}

/**
 * A `net.connect` lookup that refuses a name when any of its addresses is not public. All of
 * them, not just the first: a name that also resolves to 10.0.0.1 is refused whatever order
 * the resolver returns, so DNS rebinding between check and connect gains nothing.
 */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  const resolve = policy.resolve ?? systemResolve;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = addresses.filter((a) => !family || a.family === family);
        const refused = policy.allowLocal ? undefined : usable.find((a) => !isPublicAddress(a.address));
        if (refused) {
          callback(new AddressRefusedError('address', hostname, refused.address), '', 0);
          return;
        }
        const first = usable[0];
        if (!first) {
          const error: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
          return;
        }
        if (options.all) {
          (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, [...usable]);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** An undici connector that applies the policy to every connection it opens. */
export function guardedConnector(policy: AddressPolicy, connectTimeoutMs: number): buildConnector.connector {
  const connect = undici().buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup(policy) });
  return (options, callback) => {
    const refusal = checkOrigin(options.protocol, options.hostname, policy);
    if (refusal) {
      callback(refusal, null);
      return;
    }
    connect(options, callback);
  };
}
