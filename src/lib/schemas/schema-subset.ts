// The part of a documented schema that a node relies on. Meeting BaaS adds, renames and drops
// fields over time, and its documents disagree about several: a field the node never reads must
// not decide whether a delivery or an answer is usable. The subset keeps each used property's
// documented subschema (types, formats, patterns, nullability), so the schema file stays the one
// source of truth; what the node does not list is left open. An `enum` lists the values known when
// the document was written, and the API adds values over time (new bot statuses, for one): a used
// field keeps its type but not its enum, so a value added later does not make it unusable.

/** A JSON Schema object as found in schemas/meetingbaas-v2.json. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * How a node uses one property: `required` or `optional` keeps its documented subschema whole
 * (an optional property is checked only when present); an object descends into a documented
 * object property and keeps only the fields listed there; `items` does the same for each item
 * of a documented array of objects.
 */
export type FieldUse = 'required' | 'optional' | UsedObject | UsedArray;

export interface UsedObject {
  /** Defaults to true. */
  readonly required?: boolean;
  readonly fields: UsedFields;
}

export interface UsedArray {
  /** Defaults to true. */
  readonly required?: boolean;
  /** The fields used of every item. */
  readonly items: UsedFields;
}

export type UsedFields = { readonly [property: string]: FieldUse };

/** Thrown at load time when the schema file no longer documents a field a node uses. */
export class SchemaSubsetError extends Error {
  override readonly name = 'SchemaSubsetError';
  constructor(readonly path: string) {
    super(`the schema does not document "${path}" as an object property or an array of objects`);
  }
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function propertiesOf(schema: JsonSchema, path: string): JsonSchema {
  const properties = schema.properties;
  if (schema.type !== 'object' || !isSchema(properties)) throw new SchemaSubsetError(path || '(root)');
  return properties;
}

function withoutEnums(schema: JsonSchema): JsonSchema {
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'enum') continue;
    if (Array.isArray(value)) out[keyword] = value.map((item: unknown) => (isSchema(item) ? withoutEnums(item) : item));
    else out[keyword] = isSchema(value) && keyword !== 'const' && keyword !== 'default' ? withoutEnums(value) : value;
  }
  return out;
}

/**
 * The schema that accepts every value the node can use: an object holding the listed fields, each
 * as documented, and anything else besides.
 */
export function usedPart(schema: JsonSchema, fields: UsedFields, path = ''): JsonSchema {
  const documented = propertiesOf(schema, path);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, use] of Object.entries(fields)) {
    const fieldPath = path ? `${path}.${name}` : name;
    const subschema = Object.hasOwn(documented, name) ? documented[name] : undefined;
    if (!isSchema(subschema)) throw new SchemaSubsetError(fieldPath);
    if (typeof use === 'string') {
      properties[name] = withoutEnums(subschema);
      if (use === 'required') required.push(name);
    } else {
      properties[name] = 'items' in use ? usedItems(subschema, use.items, fieldPath) : usedPart(subschema, use.fields, fieldPath);
      if (use.required !== false) required.push(name);
    }
  }
  return { type: 'object', properties, required };
}

/** An array whose every item is the used part of the documented item; length limits are not kept. */
function usedItems(schema: JsonSchema, fields: UsedFields, path: string): JsonSchema {
  const items = schema.items;
  if (schema.type !== 'array' || !isSchema(items)) throw new SchemaSubsetError(path);
  return { type: 'array', items: usedPart(items, fields, `${path}[]`) };
}
