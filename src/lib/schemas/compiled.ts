// Every validator of the nodes, compiled once at build time instead of at each Node-RED start.
// Compiling the Meeting BaaS schemas with AJV took about half a second and 25 MiB on every start
// (on a Raspberry Pi, more). scripts/build.mjs loads the modules that ask for validators with
// recording on, then writes each flavour's validators as AJV standalone code in
// lib/generated/validators-<flavour>.js. A validator is found there by a digest of its flavour and
// schema, so a schema that changes without a rebuild cannot meet stale code: it is compiled at
// run time instead (and counted, so that a test sees it).
//
// Outside the build, a validator is looked up when it is first called, not when it is asked for:
// the modules ask for theirs when they load, at every Node-RED start, and the generated modules
// are about 1 MB of code that a start otherwise parses whether a delivery ever comes or not.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { default as Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import type { Format } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types';
import type { JsonSchema } from './schema-subset';

/**
 * How a schema is compiled. `documented`: every error, formats in full (requests and answers of
 * the bot API). The delivery flavours check `uri` as ajv-formats' fast mode does (see validation.ts).
 */
export const FLAVOURS = ['documented', 'delivery-first-error', 'delivery-all-errors'] as const;
export type Flavour = (typeof FLAVOURS)[number];

/** The formats each flavour uses, by name; lib/schemas/formats.js exports the same tables for the generated code. */
export type FormatTable = Readonly<Record<string, Format>>;

type Validators = Readonly<Record<string, ValidateFunction<unknown> | undefined>>;

interface Recorded {
  readonly flavour: Flavour;
  readonly key: string;
  readonly schema: JsonSchema;
}

let recording: Recorded[] | null = null;
let compiledAtRunTime = 0;
/** Validators handed out and not looked up yet (see resolveAll). */
const unresolved = new Set<() => unknown>();
const generated = new Map<Flavour, Validators | null>();
const instances = new Map<Flavour, Ajv2020>();

export function keyOf(flavour: Flavour, schema: JsonSchema): string {
  return `v${createHash('sha256').update(flavour).update('\u0000').update(JSON.stringify(schema)).digest('hex').slice(0, 24)}`;
}

/**
 * The validator of `schema` in `flavour`. Like AJV's own `compile<T>`, the type `T` is the
 * caller's word that the schema describes T.
 */
export function compiled<T>(flavour: Flavour, schema: JsonSchema): ValidateFunction<T> {
  if (recording !== null) {
    const key = keyOf(flavour, schema);
    if (!recording.some((entry) => entry.key === key)) recording.push({ flavour, key, schema });
    return compileAtRunTime<T>(flavour, schema);
  }
  return lazily<T>(() => lookUp<T>(flavour, schema), schema);
}

function lookUp<T>(flavour: Flavour, schema: JsonSchema): ValidateFunction<T> {
  const found = generatedOf(flavour)?.[keyOf(flavour, schema)];
  if (found) return found as ValidateFunction<T>;
  compiledAtRunTime += 1;
  return compileAtRunTime<T>(flavour, schema);
}

/** A validator that finds its code on its first call and hands each call, and its errors, to it. */
function lazily<T>(find: () => ValidateFunction<T>, schema: JsonSchema): ValidateFunction<T> {
  let found: ValidateFunction<T> | null = null;
  const resolve = (): ValidateFunction<T> => {
    if (found === null) {
      found = find();
      unresolved.delete(resolve);
    }
    return found;
  };
  unresolved.add(resolve);
  const noErrors = (): ErrorObject[] | null | undefined => null;
  function validate(this: unknown, data: unknown, dataCxt?: DataValidationCxt): data is T {
    const inner = resolve();
    const valid = inner.call(this, data, dataCxt);
    validate.errors = inner.errors;
    return valid;
  }
  validate.errors = noErrors();
  validate.schema = schema;
  // Like the generated functions (AJV standalone code has no compilation environment), this one
  // is called and its errors read; the environment of a validator compiled at run time is reached
  // through it on demand.
  return Object.defineProperty(validate, 'schemaEnv', { get: () => resolve().schemaEnv, enumerable: true }) as ValidateFunction<T>;
}

/** Looks up every validator handed out so far (a test checks that none had to be compiled). */
export function resolveAll(): void {
  for (const resolve of [...unresolved]) resolve();
}

function generatedOf(flavour: Flavour): Validators | null {
  if (!generated.has(flavour)) {
    // Written by scripts/build.mjs beside this file's compiled .js; absent before the first build.
    const file = join(__dirname, '..', 'generated', `validators-${flavour}.js`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known at run time, loaded only if built
    generated.set(flavour, existsSync(file) ? (require(file) as Validators) : null);
  }
  return generated.get(flavour) ?? null;
}

/** The AJV instance of a flavour, as the build and the run-time fallback use it. */
export function ajvOf(flavour: Flavour): Ajv2020 {
  let ajv = instances.get(flavour);
  if (!ajv) {
    // Loaded only here: a build whose validators are all generated never loads the compiler.
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, not with this module */
    const { default: Ajv } = require('ajv/dist/2020') as typeof import('ajv/dist/2020');
    const { _ } = require('ajv') as typeof import('ajv');
    const formats = require('./formats') as typeof import('./formats');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const table = formats.FORMATS[flavour];
    ajv = new Ajv({
      allErrors: flavour !== 'delivery-first-error',
      strict: true,
      strictTypes: false,
      strictRequired: false,
      // The generated code reads its formats from lib/schemas/formats.js.
      code: { source: true, esm: false, formats: _`require("../schemas/formats").FORMATS[${flavour}]` },
    });
    for (const [name, format] of Object.entries(table)) ajv.addFormat(name, format);
    instances.set(flavour, ajv);
  }
  return ajv;
}

function compileAtRunTime<T>(flavour: Flavour, schema: JsonSchema): ValidateFunction<T> {
  return ajvOf(flavour).compile<T>(schema);
}

/** From now on, every validator asked for is remembered (for the build), and compiled at run time. */
export function startRecording(): void {
  recording = [];
}

export function recorded(): readonly Recorded[] {
  return recording ?? [];
}

/** How many validators were compiled at run time because the build had not generated them. */
export function runTimeCompilations(): number {
  return compiledAtRunTime;
}
