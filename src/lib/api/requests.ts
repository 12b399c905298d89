// What the client sends for an operation of the table, checked before anything leaves: the bot id
// in the path as a UUID, the body against its closed schema, the query parameters against theirs.
// A request that fails here is an ApiError `invalid-request` or `bad-bot-id`: nothing was sent.
import type { ValidateFunction } from 'ajv';
import { documentedValidator } from '../schemas/documented';
import { isBotId } from '../bot-id';
import { problem } from '../problem';
import { ApiError, type ApiProblem } from './errors';
import { ACTIONS, OPERATIONS, operationName, type Action } from './operations';
import { requestProblems } from './request-errors';


/** A query parameter as sent; undefined, null and '' are left out. */
export type QueryValue = string | number | boolean | null | undefined;
export type QueryValues = { readonly [name: string]: QueryValue };

interface RequestChecks {
  readonly body: ValidateFunction<unknown> | null;
  readonly query: ValidateFunction<unknown> | null;
}

// Compiled when the module loads, so that a schema the table names and the file lacks fails at once.
const CHECKS: ReadonlyMap<Action, RequestChecks> = new Map(
  ACTIONS.map((action): [Action, RequestChecks] => {
    const { body, query } = OPERATIONS[action];
    return [action, { body: body === null ? null : documentedValidator(body), query: query === null ? null : documentedValidator(query) }];
  }),
);

function checksOf(action: Action): RequestChecks {
  const checks = CHECKS.get(action);
  if (!checks) throw new TypeError(`no request checks for ${action}`);
  return checks;
}

/** The operation's path with the bot id put in, lower-cased; throws `bad-bot-id` for anything but a UUID. */
export function requestPath(action: Action, botId: unknown): string {
  const { path } = OPERATIONS[action];
  if (!path.includes('{bot_id}')) return path;
  // Checked before the path is built: it keeps `../` and `?` out of it.
  if (!isBotId(botId)) {
    throw new ApiError('bad-bot-id', operationName(action), { problems: [problem('not-a-bot-id', { value: JSON.stringify(botId) ?? String(botId) })] });
  }
  return path.replace('{bot_id}', botId.toLowerCase());
}

/** Throws `invalid-request` when the body breaks the operation's schema, or the operation takes none. */
export function checkBody(action: Action, body: unknown): void {
  const check = checksOf(action).body;
  if (check === null) throw new ApiError('invalid-request', operationName(action), { problems: [problem('takes-no-body')] });
  if (!check(body)) throw new ApiError('invalid-request', operationName(action), { problems: requestProblems(check.errors ?? []) });
}

/** `?name=value&…` in the order given, after checking the values against the operation's parameters. */
export function queryString(action: Action, values: QueryValues = {}): string | undefined {
  const present = Object.entries(values).filter((entry): entry is [string, string | number | boolean] => {
    const value = entry[1];
    return value !== undefined && value !== null && value !== '';
  });
  if (present.length === 0) return undefined;
  const check = checksOf(action).query;
  if (check === null) throw new ApiError('invalid-request', operationName(action), { problems: [problem('takes-no-query')] });
  if (!check(Object.fromEntries(present))) throw new ApiError('invalid-request', operationName(action), { problems: requestProblems(check.errors ?? []) });
  const params = new URLSearchParams();
  for (const [name, value] of present) params.set(name, String(value));
  return `?${params.toString()}`;
}

function isPlainObject(value: unknown): value is { readonly [key: string]: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** One item of a comma-separated list: a comma or white space inside it would change the list the API reads. */
const LIST_ITEM = /^[^,\s]+$/;

/**
 * Query parameters from values a flow holds: a Date as ISO 8601 (UTC), a list comma-separated
 * (`status: ["completed", "failed"]`), an object as the `field:value,…` pairs the `extra` filter
 * reads. Strings, numbers and booleans are kept as they are; the operation's schema checks them
 * when the request is built. Throws `invalid-request` for a value no query can carry.
 */
export function queryValuesOf(action: Action, fields: { readonly [name: string]: unknown }): QueryValues {
  const problems: ApiProblem[] = [];
  const out: Record<string, QueryValue> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[name] = value;
    } else if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) problems.push(problem('not-a-date', { name }));
      else out[name] = value.toISOString();
    } else if (Array.isArray(value)) {
      if (value.length === 0) problems.push(problem('empty-list', { name }));
      const bad = value.filter((item) => typeof item !== 'string' || !LIST_ITEM.test(item));
      for (const item of bad) problems.push(problem('not-a-list-item', { name, item: JSON.stringify(item) ?? String(item) }));
      if (value.length > 0 && bad.length === 0) out[name] = value.join(',');
    } else if (isPlainObject(value)) {
      const pairs = fieldValuePairs(name, value, problems);
      if (pairs !== null) out[name] = pairs;
    } else {
      problems.push(problem('not-a-query-value', { name }));
    }
  }
  if (problems.length > 0) throw new ApiError('invalid-request', operationName(action), { problems });
  return out;
}

/** `{customer_id: "123", project: "sales"}` → `customer_id:123,project:sales`, as the API's `extra` filter reads it. */
function fieldValuePairs(name: string, object: { readonly [key: string]: unknown }, problems: ApiProblem[]): string | null {
  const entries = Object.entries(object);
  if (entries.length === 0) {
    problems.push(problem('no-filter-fields', { name }));
    return null;
  }
  const pairs: string[] = [];
  for (const [field, value] of entries) {
    if (field === '' || /[,:]/.test(field)) problems.push(problem('bad-filter-field', { name, field: JSON.stringify(field) }));
    else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') problems.push(problem('bad-filter-value', { name, field }));
    else if (String(value).includes(',')) problems.push(problem('comma-in-filter', { name, field }));
    else pairs.push(`${field}:${String(value)}`);
  }
  return pairs.length === entries.length ? pairs.join(',') : null;
}
