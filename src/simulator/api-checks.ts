// How the simulator's bot API answers, in the shapes the OpenAPI document gives the API's errors
// (ErrorResponse, ValidationErrorResponse), with Fastify's wording (`body/message …`,
// `querystring/limit …`, `params/bot_id …`). What is checked, and against what, is ./openapi.
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

/** A path the API has, with a method it does not take there; `Allow` lists the ones it does. */
export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): ApiAnswer {
  const answer = error(405, 'Method Not Allowed', 'FST_ERR_METHOD_NOT_ALLOWED', `${path} does not take ${method}; it takes ${allowed.join(', ')}.`);
  return { ...answer, headers: { ...answer.headers, allow: allowed.join(', ') } };
}

/** A path the simulator does not serve, in the words of Fastify's not-found handler. */
export function routeNotFound(method: string, path: string): ApiAnswer {
  return error(404, 'Not Found', 'FST_ERR_NOT_FOUND', `Route ${method}:${path} not found`);
}

/** The documented 401 when the key is missing or not the account's. */
export function unauthorized(): ApiAnswer {
  return error(401, 'Unauthorized', 'INVALID_API_KEY', 'Invalid or missing API key');
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
