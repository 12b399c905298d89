// Whether an address is this machine, where plain http crosses no network anyone else can read.
// One answer for the API URL (where the key may go), the Public URL (where Meeting BaaS sends the
// callback secret) and the editors, which are bundled with it: no imports.

/** `hostname` as a WHATWG URL gives it: IPv4 normalised (`127.1` is `127.0.0.1`), IPv6 in brackets. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Plain http to another machine: what is sent there can be read on the way. False for what is not a URL. */
export function isPlainHttpElsewhere(url: string): boolean {
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'http:' && !isLoopback(parsed.hostname);
  } catch {
    return false;
  }
}
