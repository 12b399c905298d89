// How many times the client sends a request again: its default, and the range a node may set.
// No imports: the editors are bundled with it, and check a setting as the runtime reads it.

export const RETRY_COUNT = {
  /** The client's, and a node's when its setting is blank or left out. */
  default: 3,
  /** Waits double from 1 s up to 30 s: ten retries already take minutes. */
  max: 10,
} as const;

/**
 * A setting as a retry count: a whole number from 0 to `RETRY_COUNT.max`, given as a number or as
 * its digits (a flow may hold either); null for anything else. Blank is not a count: the caller
 * decides what it means.
 */
export function retryCountOf(value: unknown): number | null {
  const count = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(count) && count >= 0 && count <= RETRY_COUNT.max ? count : null;
}

/** A setting left for the default: absent or blank. */
export function isBlankSetting(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}
