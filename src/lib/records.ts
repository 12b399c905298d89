// Reading what others send (messages, parsed bodies, files): an object is checked before its
// fields are read, and each field is then `unknown` until it is checked in turn.

/** An object that is not an array: what a message, a parsed body or a saved file holds as an object. */
export function isRecord(value: unknown): value is { readonly [field: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `code` of a system or undici error (`ENOENT`, `UND_ERR_SOCKET`), if it has one. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** What an error says, for a detail in a log line; anything thrown that is not an Error as it prints. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
