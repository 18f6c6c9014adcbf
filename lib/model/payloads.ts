import fc from 'fast-check';
import { z } from 'zod';

import type { Json, JsonObject } from './json';

/**
 * Generators for what real clients send: payloads derived from a resource's zod schema where the
 * schema says what a field is, and anything JSON can carry where it does not (the extra fields a
 * loose schema lets through).
 */

/** Names a field must not take: server-owned fields, list query parameters, prototype traps. */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  'id',
  'createdAt',
  'page',
  'limit',
  'sortBy',
  'order',
  'search',
  '__proto__',
  'constructor',
  'prototype',
]);

/** Text pieces that servers, serializers and databases are known to mangle. */
const TRICKY_PIECES = [
  'e\u0301', // e + combining acute accent (not normalized to é)
  'Zoë', // the composed form
  'a\u0308\u0304', // two stacked combining marks
  '👩‍👩‍👧‍👦', // an emoji ZWJ sequence
  '🇮🇱', // a flag: two regional indicators
  '👍🏽', // an emoji with a skin tone modifier
  '🧪',
  'مرحبا بالعالم', // Arabic, right to left
  'שלום', // Hebrew, right to left
  '\u200Fabc\u200E', // explicit RTL and LTR marks
  '山田太郎',
  'İstanbul', // upper-case dotted I: lower-cases to two code points
  'straße', // ß upper-cases to SS
  'ǅemal', // a title-case digraph
  'Ωmega',
  'MiXeD CaSe',
  ' leading',
  'trailing ',
  '\ttab\nnewline',
  '"quotes" and \\backslash',
  '<b>html</b>',
  '0',
  '42',
  'null',
];

/** A string as real clients send: short and plain mostly; unicode, whitespace, long or empty often. */
export function clientString(): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...TRICKY_PIECES) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }) },
  );
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.array(piece, { minLength: 1, maxLength: 3 }).map((p) => p.join('')),
    },
    { weight: 1, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 256, max: 5000 }), fc.constantFrom('L', 'é', '🧪', 'ab '))
        .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(' ', '  ', '\t', '\n', '\u00A0'),
          piece,
          fc.constantFrom(' ', '', '\n'),
        )
        .map(([before, text, after]) => `${before}${text}${after}`),
    },
  );
}

/** Numbers JSON carries that serializers get wrong: large, tiny, negative, fractional. */
export function clientNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 2,
      -Number.MAX_SAFE_INTEGER,
      2 ** 63,
      1e21,
      1.7976931348623157e308,
      5e-324,
      0.1,
      -0.5,
      3.14159,
      -1e-7,
    ),
  );
}

/** A field name beyond the standard ones: realistic names, and odd but legal ones. */
export function extraFieldName(): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.constantFrom(
        'nickname',
        'age',
        'tags',
        'address',
        'active',
        'score',
        'balance',
        'bio',
        'meta',
        'jobTitle',
        'Nickname',
        'phone_number',
        'ünicode',
        '名前',
      ),
      fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,11}$/),
    )
    .filter((name) => !RESERVED_FIELD_NAMES.has(name));
}

/** Any JSON value: scalars, `null`, nested objects and arrays (up to `depth` levels). */
export function clientJson(depth = 2): fc.Arbitrary<Json> {
  const scalar: fc.Arbitrary<Json> = fc.oneof(
    clientString(),
    clientNumber(),
    fc.boolean(),
    fc.constant(null),
  );
  if (depth <= 0) return scalar;
  const inner = clientJson(depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(inner, { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(extraFieldName(), inner, { maxKeys: 3, noNullPrototype: true }),
    },
  );
}

/** A value of the type a zod schema names; anything JSON where it names none we know. */
export function arbitraryFor(schema: z.ZodType): fc.Arbitrary<Json> {
  if (schema instanceof z.ZodString) return clientString();
  if (schema instanceof z.ZodNumber) return clientNumber();
  if (schema instanceof z.ZodBoolean) return fc.boolean();
  if (schema instanceof z.ZodNullable)
    return fc.option(arbitraryFor(schema.unwrap() as z.ZodType), { nil: null });
  if (schema instanceof z.ZodArray)
    return fc.array(arbitraryFor(schema.element as z.ZodType), { maxLength: 3 });
  if (schema instanceof z.ZodObject) return objectFor(schema, { leave: [] });
  return clientJson();
}

export interface ObjectOptions {
  /** Fields not to generate (the unique field, which the caller builds). */
  leave: readonly string[];
  /** Every field optional, as in a PATCH body. */
  partial?: boolean;
  /** How many fields beyond the schema's a loose object may get. */
  maxExtra?: number;
}

/**
 * Payloads of an object schema: each known field of its type (optional ones sometimes left out),
 * plus, when the schema lets unknown fields through, a few extra ones of any JSON type.
 */
export function objectFor(schema: z.ZodObject, options: ObjectOptions): fc.Arbitrary<JsonObject> {
  const known: Record<string, fc.Arbitrary<Json>> = {};
  const required: string[] = [];
  const shape: Readonly<Record<string, z.ZodType>> = schema.shape;
  for (const [field, fieldSchema] of Object.entries(shape)) {
    if (options.leave.includes(field)) continue;
    const optional = fieldSchema instanceof z.ZodOptional;
    const inner = optional ? (fieldSchema as z.ZodOptional<z.ZodType>).unwrap() : fieldSchema;
    known[field] = arbitraryFor(inner);
    if (!optional && options.partial !== true) required.push(field);
  }
  const base = fc.record(known, { requiredKeys: required, noNullPrototype: true });
  const loose = !(schema.def.catchall instanceof z.ZodNever) && schema.def.catchall !== undefined;
  if (!loose) return base;
  const extra = fc.dictionary(
    extraFieldName().filter((name) => !Object.hasOwn(known, name) && !options.leave.includes(name)),
    clientJson(),
    { maxKeys: options.maxExtra ?? 3, noNullPrototype: true },
  );
  return fc.tuple(base, extra).map(([fields, more]) => ({ ...more, ...fields }));
}

/**
 * The part of an email before the run's tag: mixed case, sometimes unicode (RFC 6531), always
 * something a mail address may start with. The tag after it stays intact, so cleanup, the sweep and
 * the janitor find the user.
 */
export function emailLocalPart(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,14}[A-Za-z0-9]$/),
    fc.constantFrom('MiXeD.CaSe', 'ÜNÏCÖDÉ', 'straße', 'İstanbul', 'χρήστης', 'O.Brien', 'UPPER'),
  );
}
