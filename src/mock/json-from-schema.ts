/**
 * Builds a JSON value that conforms to the common subset of JSON Schema that tool definitions
 * and `response_format: json_schema` use in practice: `type` (one or several), `properties`,
 * `items`, `enum`, `const`, `anyOf`/`oneOf`, numeric bounds, array sizes and a few string
 * formats. `$ref` and conditional keywords are not followed; such nodes get a string.
 */
import { z } from 'zod';
import { randomInt, type Random } from './random.js';
import { generatePhrase, generateWord } from './text-generator.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

// Loose on purpose: a schema node is user data, and keywords we do not know must not fail a request.
const schemaNode = z.looseObject({
  type: z.union([z.string(), z.array(z.string())]).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  items: z.unknown().optional(),
  enum: z.array(z.json()).min(1).optional(),
  const: z.json().optional(),
  anyOf: z.array(z.unknown()).min(1).optional(),
  oneOf: z.array(z.unknown()).min(1).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  minItems: z.number().int().nonnegative().optional(),
  maxItems: z.number().int().nonnegative().optional(),
  format: z.string().optional(),
});
type SchemaNode = z.infer<typeof schemaNode>;

/** Deep schemas are cut off here, so a recursive or hostile schema cannot blow the stack. */
const maxDepth = 8;
/** Arrays get two items unless the schema asks for more; never more than this. */
const maxArrayItems = 16;

export function valueFromSchema(schema: unknown, random: Random, depth = 0): JsonValue {
  const parsed = schemaNode.safeParse(schema);
  if (!parsed.success || depth > maxDepth) return generatePhrase(random, 1, 3);
  const node = parsed.data;
  if (node.const !== undefined) return node.const;
  if (node.enum) return node.enum[randomInt(random, 0, node.enum.length - 1)] ?? null;
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) return valueFromSchema(alternatives[0], random, depth + 1);
  switch (pickType(node)) {
    case 'object':
      return objectFromSchema(node, random, depth);
    case 'array':
      return arrayFromSchema(node, random, depth);
    case 'integer':
      return integerFromSchema(node, random);
    case 'number':
      return numberFromSchema(node, random);
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    default:
      return stringFromSchema(node, random);
  }
}

/** With several types (`["string", "null"]`), the first non-null one gives the more useful value. */
function pickType(node: SchemaNode): string {
  if (Array.isArray(node.type)) return node.type.find((type) => type !== 'null') ?? 'null';
  if (node.type) return node.type;
  if (node.properties) return 'object';
  if (node.items !== undefined) return 'array';
  return 'string';
}

function objectFromSchema(node: SchemaNode, random: Random, depth: number): JsonValue {
  const value: { [key: string]: JsonValue } = {};
  for (const [key, propertySchema] of Object.entries(node.properties ?? {})) {
    value[key] = valueFromSchema(propertySchema, random, depth + 1);
  }
  return value;
}

function arrayFromSchema(node: SchemaNode, random: Random, depth: number): JsonValue {
  const wanted = Math.max(node.minItems ?? 0, Math.min(2, node.maxItems ?? 2));
  const count = Math.min(wanted, maxArrayItems);
  const items: JsonValue[] = [];
  for (let i = 0; i < count; i++) items.push(valueFromSchema(node.items, random, depth + 1));
  return items;
}

function integerFromSchema(node: SchemaNode, random: Random): number {
  const min = Math.ceil(node.minimum ?? Math.min(0, node.maximum ?? 0));
  const max = Math.floor(node.maximum ?? min + 100);
  return max < min ? min : randomInt(random, min, max);
}

function numberFromSchema(node: SchemaNode, random: Random): number {
  const min = node.minimum ?? Math.min(0, node.maximum ?? 0);
  const max = node.maximum ?? min + 100;
  if (max <= min) return min;
  // Two decimals read like a measurement; clamping keeps the rounding inside the bounds.
  const value = Math.round((min + random() * (max - min)) * 100) / 100;
  return Math.min(max, Math.max(min, value));
}

function stringFromSchema(node: SchemaNode, random: Random): string {
  switch (node.format) {
    case 'date-time':
      return `2024-0${randomInt(random, 1, 9)}-1${randomInt(random, 0, 9)}T12:00:00Z`;
    case 'date':
      return `2024-0${randomInt(random, 1, 9)}-1${randomInt(random, 0, 9)}`;
    case 'email':
      return `${generateWord(random)}@example.com`;
    case 'uri':
    case 'url':
      return `https://example.com/${generateWord(random)}`;
    case 'uuid':
      return '00000000-0000-4000-8000-' + String(randomInt(random, 0, 999_999_999)).padStart(12, '0');
    default:
      return generatePhrase(random, 1, 3);
  }
}
