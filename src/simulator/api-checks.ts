// How the simulator's bot API checks a request and answers, as Meeting BaaS documents it: bodies and
// query parameters against the schemas of schemas/meetingbaas-v2.json, compiled here on their own
// (not the API client's validators, so that a mistake in those is not mirrored here), refusals in
// the documented ValidationErrorResponse / ErrorResponse shapes, with Fastify's wording
// (`body/message …`, `querystring/limit …`, `params/bot_id …`).
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { documentedSchema } from '../lib/schemas/schema-file';

export type ApiAnswer = { status: number; headers: Record<string, string>; body: Buffer };

export function json(status: number, value: unknown): ApiAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}

/** The documented ErrorResponse shape. */
export function error(status: number, name: string, code: string, message: string): ApiAnswer {
  return json(status, { success: false, error: name, code, statusCode: status, message });
}

/** The documented ValidationErrorResponse shape. */
export function validationError(message: string): ApiAnswer {
  return json(400, { success: false, error: 'Bad Request', code: 'VALIDATION_ERROR', statusCode: 400, message });
}

export function methodNotAllowed(): ApiAnswer {
  return error(405, 'Method Not Allowed', 'METHOD_NOT_ALLOWED', 'Method not allowed.');
}

const bodyAjv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
addFormats(bodyAjv, ['uuid', 'date-time', 'uri']);
// Query parameters arrive as text: `limit=10` is the integer 10, `delete_from_provider=false` the boolean.
const queryAjv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, coerceTypes: true });
addFormats(queryAjv, ['uuid', 'date-time', 'uri']);

/** `body/message must NOT have fewer than 1 characters; …`, as Fastify words a refused request. */
export function refusal(where: 'body' | 'querystring' | 'params', errors: readonly ErrorObject[]): string {
  const said = errors
    .filter((e) => e.keyword !== 'anyOf')
    .map((e) => {
      const field = `${where}${e.instancePath}`;
      if (e.keyword === 'additionalProperties') return `${field} must NOT have additional properties (${String(e.params.additionalProperty)})`;
      if (e.keyword === 'required') return `${field} must have required property '${String(e.params.missingProperty)}'`;
      return `${field} ${e.message ?? `fails ${e.keyword}`}`;
    });
  return [...new Set(said)].join('; ') || `${where} is invalid`;
}

/** A request body checked against the documented schema `name`: the value, typed, or the refusal. */
export type BodyCheck<T> = (text: string) => { readonly body: T } | { readonly refused: ApiAnswer };

export function bodyCheck<T>(name: string, options: { readonly optional?: boolean } = {}): BodyCheck<T> {
  const validate: ValidateFunction<T> = bodyAjv.compile<T>(documentedSchema(name));
  return (text) => {
    let body: unknown;
    if (text.trim() === '') {
      // The documented body of some requests (pause, resume) is optional: no body means no options.
      if (!options.optional) return { refused: validationError('body must be object') };
      body = {};
    } else {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        return { refused: validationError('Body is not valid JSON') };
      }
    }
    if (!validate(body)) return { refused: validationError(refusal('body', validate.errors ?? [])) };
    return { body };
  };
}

/**
 * Query parameters checked against the documented parameters `name`. Parameters it does not
 * document are ignored, as the API ignores them.
 */
export function queryCheck<T>(name: string): (query: URLSearchParams) => { readonly query: T } | { readonly refused: ApiAnswer } {
  const schema = documentedSchema(name);
  const validate: ValidateFunction<T> = queryAjv.compile<T>(schema);
  const documented = new Set(Object.keys(isObject(schema.properties) ? schema.properties : {}));
  return (search) => {
    const values: Record<string, string> = {};
    for (const [key, value] of search) if (documented.has(key)) values[key] = value;
    if (!validate(values)) return { refused: validationError(refusal('querystring', validate.errors ?? [])) };
    return { query: values };
  };
}

function isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The documented bot id pattern (a UUID, versions 1 to 8, or all zeros or all f). */
export const DOCUMENTED_UUID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

/** A bot id in the path, or the documented 400 for one that is not a UUID. */
export function pathBotId(text: string): { readonly botId: string } | { readonly refused: ApiAnswer } {
  if (!DOCUMENTED_UUID.test(text)) return { refused: validationError('params/bot_id must match format "uuid"') };
  return { botId: text.toLowerCase() };
}

/** `customer_id:123,project:sales`: every field of `extra` named there holds that value (compared as text). */
export function matchesExtraFilter(filter: string, extra: Record<string, unknown> | null | undefined): boolean {
  for (const condition of filter.split(',')) {
    const at = condition.indexOf(':');
    if (at <= 0) return false;
    const field = condition.slice(0, at);
    const value: unknown = extra && Object.hasOwn(extra, field) ? extra[field] : undefined;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects are refused before String() is reached
    if (value === undefined || value === null || typeof value === 'object' || String(value) !== condition.slice(at + 1)) return false;
  }
  return true;
}

/** A malformed `extra` filter, as the API would refuse it; null when it is well-formed. */
export function extraFilterProblem(filter: string): string | null {
  return filter.split(',').every((condition) => /^[^:]+:.*$/.test(condition)) ? null : 'querystring/extra must be field:value pairs, comma-separated';
}
