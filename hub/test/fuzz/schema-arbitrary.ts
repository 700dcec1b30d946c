import fc from 'fast-check';
import { z } from 'zod';
import { HOSTILE_NUMBERS, HOSTILE_STRINGS, HOSTILE_VALUES } from '../hostile-inputs.js';

/** The part of a JSON Schema (as zod's `toJSONSchema` writes it) that inputs are generated from. */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

export interface ArbitraryOptions {
  /** Ids of real resources, so generated references sometimes hit something that exists. */
  uuids: readonly string[];
  /** How often (1 in n) a value is replaced by a hostile one of any type. */
  hostileOneIn: number;
}

/** What stands in for the zod parsers that fast-check cannot generate from (formats with a real meaning). */
const STORABLE_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';

/**
 * Arbitraries for the inputs a protocol schema describes, from its JSON Schema (the input side of
 * transforms): mostly values of the right shape, some just outside its limits, and at every level
 * now and then something hostile (U+0000, lone surrogates, year 0, int4 overflows, alias bombs,
 * bogus cursors, wrong types). The hub must answer all of them with 2xx/4xx and the error shape.
 */
export function arbitraryOf(schema: z.ZodType, options: ArbitraryOptions): fc.Arbitrary<unknown> {
  const known = built.get(schema);
  if (known && known.options === options) return known.arbitrary;
  const arbitrary = fromJson(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, options);
  built.set(schema, { options, arbitrary });
  return arbitrary;
}

/** Built once per schema: the request arbitrary picks a route, then that route's schemas, on every run. */
const built = new WeakMap<z.ZodType, { options: ArbitraryOptions; arbitrary: fc.Arbitrary<unknown> }>();

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.constantFrom(...HOSTILE_NUMBERS), fc.constantFrom(...HOSTILE_VALUES));

function fromJson(s: JsonSchema, o: ArbitraryOptions): fc.Arbitrary<unknown> {
  const valid = shaped(s, o);
  return fc.oneof({ arbitrary: valid, weight: o.hostileOneIn - 1 }, { arbitrary: hostileValue, weight: 1 });
}

function shaped(s: JsonSchema, o: ArbitraryOptions): fc.Arbitrary<unknown> {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => fromJson(a, o)));
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return stringOf(s, o);
    case 'integer':
    case 'number':
      return numberOf(s, type === 'integer');
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (s.prefixItems) return fc.tuple(...s.prefixItems.map((i) => fromJson(i, o)));
      return fc.array(s.items ? fromJson(s.items, o) : hostileValue, { minLength: Math.min(s.minItems ?? 0, 3), maxLength: Math.min(s.maxItems ?? 4, 4) });
    case 'object':
      return objectOf(s, o);
    default:
      return fc.oneof(hostileValue, fc.jsonValue({ maxDepth: 2 }));
  }
}

function stringOf(s: JsonSchema, o: ArbitraryOptions): fc.Arbitrary<string> {
  const max = Math.min(s.maxLength ?? 40, 40);
  const min = Math.min(s.minLength ?? 0, max);
  switch (s.format) {
    case 'uuid':
      return o.uuids.length > 0 ? fc.oneof(fc.constantFrom(...o.uuids), fc.uuid()) : fc.uuid();
    case 'email':
      // fc.emailAddress() is slow to sample; the hub's checks are zod's anyway.
      return fc.stringMatching(/^[a-z0-9._+-]{1,20}@[a-z0-9-]{1,12}\.(com|org|io)$/);
    case 'date-time':
      return fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (s.pattern && s.pattern !== STORABLE_PATTERN) return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity));
  // Any code point, lone surrogate halves included (fast-check's own 'binary' unit takes seconds to build).
  const binary = fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: max }).map((cps) => String.fromCodePoint(...cps).padEnd(min, 'x'));
  return fc.oneof(fc.string({ minLength: min, maxLength: max }), binary, fc.constantFrom(...HOSTILE_STRINGS));
}

function numberOf(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? s.exclusiveMinimum ?? -1e9;
  const max = s.maximum ?? s.exclusiveMaximum ?? 1e9;
  const inRange = integer ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  // Just past each bound, and the numbers that broke columns before.
  return fc.oneof({ arbitrary: inRange, weight: 4 }, fc.constantFrom(min - 1, max + 1, ...HOSTILE_NUMBERS));
}

function objectOf(s: JsonSchema, o: ArbitraryOptions): fc.Arbitrary<unknown> {
  const properties = s.properties ?? {};
  const names = Object.keys(properties);
  if (names.length === 0) {
    // A record: a few keys (some hostile) to values of the record's type.
    const value = typeof s.additionalProperties === 'object' ? fromJson(s.additionalProperties, o) : hostileValue;
    const key = s.propertyNames ? (shaped(s.propertyNames, o) as fc.Arbitrary<string>).filter((k) => typeof k === 'string') : fc.string({ maxLength: 20 });
    return fc.dictionary(fc.oneof(key, fc.constantFrom('a\u0000', '\uD800', '__proto__', 'constructor')), value, { maxKeys: 3 });
  }
  const record = fc.record(Object.fromEntries(names.map((n) => [n, fromJson(properties[n] as JsonSchema, o)])), { requiredKeys: (s.required ?? []).filter((r) => names.includes(r)) });
  // Now and then a key the schema does not know (strict schemas must refuse it with a 400).
  return fc.tuple(record, fc.option(fc.tuple(fc.string({ maxLength: 12 }), hostileValue), { freq: 8 })).map(([r, extra]) => (extra ? { ...r, [extra[0]]: extra[1] } : r));
}
