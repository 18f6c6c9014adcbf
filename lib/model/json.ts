/** A JSON value, as it travels over the wire. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object: a record, a payload, a nested value. */
export type JsonObject = { [key: string]: Json };

/**
 * What a value becomes once sent as JSON and read back: `undefined` fields vanish, `-0` is `0`.
 * The model stores what the server can store, not what the client held.
 */
export function toJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Deep equality of JSON values; object key order does not matter, array order does. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}

/** Where two JSON objects differ, field by field: `name: sent " Ann", got "Ann"`. */
export function fieldDifferences(
  expected: Readonly<Record<string, unknown>>,
  actual: Readonly<Record<string, unknown>>,
): string[] {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  return keys
    .filter((key) => !jsonEqual(expected[key], actual[key]))
    .map((key) => {
      if (!Object.hasOwn(actual, key)) return `${key}: expected ${show(expected[key])}, missing`;
      if (!Object.hasOwn(expected, key)) return `${key}: unexpected ${show(actual[key])}`;
      return `${key}: expected ${show(expected[key])}, got ${show(actual[key])}`;
    });
}

/** A value for a message: JSON, cut short when long. */
export function show(value: unknown, max = 120): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}
