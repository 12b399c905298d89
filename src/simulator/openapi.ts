// The simulator's own reading of the Meeting BaaS v2 API: the part of the OpenAPI document it
// serves (simulator-assets/meetingbaas-openapi.json, copied by scripts/extract-simulator-openapi.mjs),
// compiled by an AJV instance of its own, one operation at a time when that operation is first
// called. Nothing here comes from the package's validators: the simulator stands for the remote
// service, so it judges requests and its own answers by the document as published, and a mistake in
// the package's reading of that document shows up as a disagreement in the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';

/** simulator-assets/ at the package root; this file is simulator/openapi.js once compiled. */
export const OPENAPI_FILE = join(__dirname, '..', 'simulator-assets', 'meetingbaas-openapi.json');

/** The id under which the document is known to AJV, so that references into it resolve. */
const DOCUMENT_ID = 'meetingbaas-openapi.json';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

type JsonObject = { readonly [key: string]: unknown };

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required: boolean;
  readonly schema: JsonObject;
}

interface Operation {
  readonly method: string;
  readonly template: string;
  readonly operationId: string;
  readonly parameters: readonly Parameter[];
  /** null when the operation takes no body. */
  readonly body: { readonly required: boolean } | null;
  /** The statuses the document gives a JSON schema for. */
  readonly responses: ReadonlySet<string>;
}

interface ApiDocument {
  readonly raw: JsonObject;
  readonly operations: readonly Operation[];
  /** The header that carries the API key (components.securitySchemes). */
  readonly apiKeyHeader: string;
  readonly schemas: JsonObject;
}

let loaded: ApiDocument | null = null;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function field(value: JsonObject, key: string, where: string): JsonObject {
  const found = value[key];
  if (!isObject(found)) throw new Error(`${OPENAPI_FILE}: ${where}.${key} is not an object`);
  return found;
}

function readParameter(value: unknown, where: string): Parameter {
  if (!isObject(value) || typeof value.name !== 'string' || typeof value.in !== 'string' || !isObject(value.schema)) {
    throw new Error(`${OPENAPI_FILE}: ${where} has a parameter without a name, a place or a schema`);
  }
  return { name: value.name, in: value.in, required: value.required === true, schema: value.schema };
}

/** The document, read once: only the shapes the simulator relies on are checked. */
export function apiDocument(): ApiDocument {
  if (loaded) return loaded;
  const raw: unknown = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
  if (!isObject(raw)) throw new Error(`${OPENAPI_FILE} is not a JSON object`);
  const components = field(raw, 'components', '');
  const schemes = field(components, 'securitySchemes', 'components');
  const apiKey = Object.values(schemes).find((scheme) => isObject(scheme) && scheme.type === 'apiKey' && scheme.in === 'header');
  if (!isObject(apiKey) || typeof apiKey.name !== 'string') throw new Error(`${OPENAPI_FILE} documents no API key header`);
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(field(raw, 'paths', ''))) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const where = `${method.toUpperCase()} ${template}`;
      if (typeof operation.operationId !== 'string') throw new Error(`${OPENAPI_FILE}: ${where} has no operationId`);
      const parameters = Array.isArray(operation.parameters) ? operation.parameters.map((p) => readParameter(p, where)) : [];
      const requestBody = operation.requestBody;
      const responses = field(operation, 'responses', where);
      operations.push({
        method: method.toUpperCase(),
        template,
        operationId: operation.operationId,
        parameters,
        body: isObject(requestBody) ? { required: requestBody.required === true } : null,
        responses: new Set(Object.keys(responses).filter((status) => jsonSchemaOf(responses[status]) !== undefined)),
      });
    }
  }
  loaded = { raw, operations, apiKeyHeader: apiKey.name.toLowerCase(), schemas: field(components, 'schemas', 'components') };
  return loaded;
}

/** `content['application/json'].schema` of a request body or an answer. */
function jsonSchemaOf(value: unknown): unknown {
  if (!isObject(value) || !isObject(value.content)) return undefined;
  const json = value.content['application/json'];
  return isObject(json) ? json.schema : undefined;
}

/** A JSON pointer into the document, as a reference AJV resolves. */
function pointer(...parts: readonly string[]): string {
  return `${DOCUMENT_ID}#/${parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function newAjv(options: { readonly coerceTypes: boolean }): Ajv2020 {
  // Loaded with the first API request, not with the simulator: the editor's test delivery and the
  // artifact downloads never need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the first API request
  const { default: Ajv } = require('ajv/dist/2020') as typeof import('ajv/dist/2020');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the first API request
  const { default: addFormats } = require('ajv-formats') as typeof import('ajv-formats');
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    // Query parameters arrive as text (`limit=10` is the integer 10) and take their documented defaults.
    coerceTypes: options.coerceTypes,
    useDefaults: options.coerceTypes,
  });
  addFormats(ajv, ['uuid', 'date-time', 'uri']);
  // OpenAPI's `example` is an annotation, not a JSON Schema keyword, and the document's top-level
  // fields are no keywords either (the document is added whole, so that its references resolve):
  // strict AJV must be told, or it refuses them.
  ajv.addVocabulary(['example', 'openapi', 'info', 'servers', 'security', 'components', 'paths']);
  ajv.addSchema(apiDocument().raw, DOCUMENT_ID);
  return ajv;
}

let strictAjv: Ajv2020 | null = null;
let queryAjv: Ajv2020 | null = null;

function ajvFor(kind: 'json' | 'query'): Ajv2020 {
  if (kind === 'query') return (queryAjv ??= newAjv({ coerceTypes: true }));
  return (strictAjv ??= newAjv({ coerceTypes: false }));
}

/** What a refused request is answered with: the documented ValidationErrorResponse message. */
export type Refusal = { readonly refused: string };

/** `body/message must NOT have fewer than 1 characters; …`, as Fastify words a refused request. */
function refusal(where: 'body' | 'querystring' | 'params', errors: readonly ErrorObject[]): string {
  const said = errors
    .filter((e) => e.keyword !== 'anyOf')
    .map((e) => {
      const at = `${where}${e.instancePath}`;
      if (e.keyword === 'additionalProperties') return `${at} must NOT have additional properties (${String(e.params.additionalProperty)})`;
      if (e.keyword === 'required') return `${at} must have required property '${String(e.params.missingProperty)}'`;
      return `${at} ${e.message ?? `fails ${e.keyword}`}`;
    });
  return [...new Set(said)].join('; ') || `${where} is invalid`;
}

/**
 * A value the document's schema accepts, typed as the caller names it: the caller names the type
 * written for that same schema, which is what AJV's own `compile<T>` would assume too.
 */
function matches<T>(validate: ValidateFunction, value: unknown): value is T {
  return validate(value);
}

/** One documented operation, its checks compiled when first used. */
export class DocumentedOperation {
  private paramsCheck: ValidateFunction | null = null;
  private queryCheck: ValidateFunction | null = null;
  private bodyCheck: ValidateFunction | null = null;
  private readonly answerChecks = new Map<string, ValidateFunction>();

  constructor(private readonly operation: Operation) {}

  get operationId(): string {
    return this.operation.operationId;
  }

  /** The path parameters (bot_id, …) against their documented schemas. */
  checkParams(values: Readonly<Record<string, string>>): Refusal | null {
    this.paramsCheck ??= ajvFor('json').compile(this.parametersSchema('path'));
    return this.paramsCheck(values) ? null : { refused: refusal('params', this.paramsCheck.errors ?? []) };
  }

  /**
   * The documented query parameters, coerced from text and with their defaults; parameters the
   * document does not list are left out, as the API ignores them.
   */
  checkQuery<T>(search: URLSearchParams): { readonly query: T } | Refusal {
    const schema = this.parametersSchema('query');
    this.queryCheck ??= ajvFor('query').compile(schema);
    const documented = new Set(this.operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
    const values: Record<string, unknown> = {};
    for (const [key, value] of search) if (documented.has(key)) values[key] = value;
    return matches<T>(this.queryCheck, values) ? { query: values } : { refused: refusal('querystring', this.queryCheck.errors ?? []) };
  }

  /**
   * The request body against the documented schema. A body the document does not require may be
   * left out: then `body` is undefined, and the operation does what it does without one.
   */
  checkBody<T>(text: string): { readonly body: T | undefined } | Refusal {
    const { body: documented, method, template } = this.operation;
    if (text.trim() === '') {
      return documented && !documented.required ? { body: undefined } : { refused: 'body must be object' };
    }
    if (!documented) return { body: undefined };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { refused: 'Body is not valid JSON' };
    }
    this.bodyCheck ??= ajvFor('json').compile({
      $ref: pointer('paths', template, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema'),
    });
    return matches<T>(this.bodyCheck, body) ? { body } : { refused: refusal('body', this.bodyCheck.errors ?? []) };
  }

  /**
   * What is wrong with an answer of this operation by the document: against the schema it gives
   * for `status`, or, for a status it does not list (401, 405), against ErrorResponse. Null when
   * the answer is as documented.
   */
  answerProblem(status: number, value: unknown): string | null {
    const key = String(status);
    let validate = this.answerChecks.get(key);
    if (!validate) {
      const { method, template, responses } = this.operation;
      validate = ajvFor('json').compile({
        $ref: responses.has(key)
          ? pointer('paths', template, method.toLowerCase(), 'responses', key, 'content', 'application/json', 'schema')
          : pointer('components', 'schemas', 'ErrorResponse'),
      });
      this.answerChecks.set(key, validate);
    }
    if (validate(value)) return null;
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`).join('; ');
  }

  private parametersSchema(where: 'path' | 'query'): JsonObject {
    const properties: Record<string, JsonObject> = {};
    const required: string[] = [];
    for (const parameter of this.operation.parameters) {
      if (parameter.in !== where) continue;
      // Copied, not referred to: AJV fills in defaults only from a property's own schema.
      properties[parameter.name] = parameter.schema;
      if (parameter.required) required.push(parameter.name);
    }
    return { type: 'object', properties, required };
  }
}

/** What the document says of a method and a path. */
export type Routing =
  | { readonly kind: 'operation'; readonly operation: DocumentedOperation; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'unknown' };

const compiled = new Map<Operation, DocumentedOperation>();

/**
 * The operation of the document for `method` and `pathname`. Of two templates that match, the one
 * with more fixed segments wins (`/v2/bots/scheduled` before `/v2/bots/{bot_id}`), as in Fastify's
 * router. One trailing slash is ignored.
 */
export function route(method: string, pathname: string): Routing {
  const segments = pathname.replace(/(.)\/$/, '$1').split('/');
  let best: { template: string; fixed: number; params: Record<string, string> } | null = null;
  for (const template of new Set(apiDocument().operations.map((operation) => operation.template))) {
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let fixed = 0;
    const matches = parts.every((part, i) => {
      const segment = segments[i] ?? '';
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      if (name === undefined) {
        fixed += 1;
        return part === segment;
      }
      params[name] = decodedSegment(segment);
      return segment !== '';
    });
    if (matches && (!best || fixed > best.fixed)) best = { template, fixed, params };
  }
  if (!best) return { kind: 'unknown' };
  const { template, params } = best;
  const atPath = apiDocument().operations.filter((operation) => operation.template === template);
  // As Fastify does, every GET route answers HEAD too.
  const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const operation = atPath.find((candidate) => candidate.method === wanted);
  if (!operation) return { kind: 'method-not-allowed', allowed: atPath.map((candidate) => candidate.method) };
  let documented = compiled.get(operation);
  if (!documented) {
    documented = new DocumentedOperation(operation);
    compiled.set(operation, documented);
  }
  return { kind: 'operation', operation: documented, params };
}

/** A path segment as text; one with a malformed escape is kept as sent, for the parameter check to refuse. */
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The header the document says carries the API key. */
export function apiKeyHeader(): string {
  return apiDocument().apiKeyHeader;
}

/** The values an enum of a component schema lists, found by a path of property names (`data`, `items`, `status`). */
export function documentedEnum(component: string, ...path: readonly string[]): string[] {
  let node: unknown = apiDocument().schemas[component];
  for (const step of path) {
    if (!isObject(node)) break;
    node = step === 'items' ? node.items : isObject(node.properties) ? node.properties[step] : undefined;
  }
  const values = isObject(node) ? node.enum : undefined;
  if (!Array.isArray(values) || !values.every((v): v is string => typeof v === 'string')) {
    throw new Error(`${OPENAPI_FILE}: ${component} ${path.join('.')} lists no values`);
  }
  return values;
}
