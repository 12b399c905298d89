// The documented schemas' validators (generated at build time, see compiled.ts) for the API's
// requests and answers, and AJV's errors made readable: used by the API client and deliveries alike.
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { compiled } from './compiled';
import { documentedSchema } from './schema-file';
import type {
  CreateBotRequestBodyInput,
  CreateBotResponse,
  ErrorResponse,
  GetBotDetailsResponse,
  RateLimitedResponse,
  RetryCallbackRequestBodyInput,
  ValidationErrorResponse,
} from '../generated/meetingbaas-v2';

/** The payload types, generated from the same schema file at build time. */
export type * from '../generated/meetingbaas-v2';

function compile<T>(name: string): ValidateFunction<T> {
  return compiled<T>('documented', documentedSchema(name));
}

/**
 * The documented schema `name` compiled as it is in the file: for the request bodies and query
 * parameters of the operations table, closed (see scripts/extract-schemas.mjs).
 */
export function documentedValidator(name: string): ValidateFunction<unknown> {
  return compile<unknown>(name);
}

export const validateBotDetails: ValidateFunction<GetBotDetailsResponse> =
  compile<GetBotDetailsResponse>('GetBotDetailsResponse');

// What the bot node sends (strict: unknown fields refused, see scripts/extract-schemas.mjs) and
// what the API answers (open, like deliveries).
export const validateCreateBotRequest: ValidateFunction<CreateBotRequestBodyInput> =
  compile<CreateBotRequestBodyInput>('CreateBotRequestBodyInput');
export const validateRetryCallbackRequest: ValidateFunction<RetryCallbackRequestBodyInput> =
  compile<RetryCallbackRequestBodyInput>('RetryCallbackRequestBodyInput');
export const validateCreateBotResponse: ValidateFunction<CreateBotResponse> = compile<CreateBotResponse>('CreateBotResponse');
export const validateErrorResponse: ValidateFunction<ErrorResponse> = compile<ErrorResponse>('ErrorResponse');
export const validateValidationErrorResponse: ValidateFunction<ValidationErrorResponse> =
  compile<ValidationErrorResponse>('ValidationErrorResponse');
export const validateRateLimitedResponse: ValidateFunction<RateLimitedResponse> =
  compile<RateLimitedResponse>('RateLimitedResponse');

/** One problem with a value checked against a schema (a delivery, an API request or answer), said so that a person can act on it. */
export interface FieldError {
  /** Dotted path of the field, e.g. `data.bot_id`; `(delivery)` for the whole body. */
  readonly field: string;
  /** What was expected, e.g. `must match format "uuid"`. */
  readonly message: string;
}

/**
 * AJV's errors, with JSON-pointer paths made dotted (under `prefix`, for a part checked on its
 * own) and the generic "anyOf" summary dropped when details exist.
 */
export function readableErrors(errors: readonly ErrorObject[], prefix: readonly string[] = []): FieldError[] {
  const detailed = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if');
  const chosen = detailed.length > 0 ? detailed : errors;
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of chosen) {
    const missing = error.keyword === 'required' ? String(error.params.missingProperty) : null;
    const pointer = missing === null ? error.instancePath : `${error.instancePath}/${missing}`;
    const segments = [...prefix, ...(pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer))];
    const field = segments.length === 0 ? '(delivery)' : segments.join('.');
    const message = missing === null ? describe(error) : 'is required';
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'const') return `must be ${JSON.stringify(error.params.allowedValue)}`;
  if (error.keyword === 'enum') {
    const allowed: unknown = error.params.allowedValues;
    return `must be one of ${(Array.isArray(allowed) ? allowed : []).map((v: unknown) => JSON.stringify(v)).join(', ')}`;
  }
  return error.message ?? `fails "${error.keyword}"`;
}

export function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
