/**
 * TypeScript source for values, so that a counterexample prints as a test one can paste and run.
 * Long strings made of one repeated unit print as `'ab'.repeat(n)`, the rest as JSON (which is
 * valid TypeScript for every JSON value).
 */
export function toCode(value: unknown): string {
  if (value instanceof Code) return value.source;
  if (typeof value === 'string') return stringCode(value);
  if (Array.isArray(value)) return `[${value.map(toCode).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => `${keyCode(key)}: ${toCode(item)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/**
 * A property name as source. `__proto__`, bare or quoted, would set the literal's prototype instead
 * of a property (JSON.parse makes it an own property): only the computed form keeps it a key.
 */
function keyCode(key: string): string {
  if (key === '__proto__') return '["__proto__"]';
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

function stringCode(text: string): string {
  if (text.length > 40) {
    for (let size = 1; size <= 4; size += 1) {
      const unit = text.slice(0, size);
      if (text.length % size === 0 && unit.repeat(text.length / size) === text)
        return `${JSON.stringify(unit)}.repeat(${text.length / size})`;
    }
  }
  return JSON.stringify(text);
}

/** Source printed as it is in place of a value: an expression the replay evaluates anew. */
export class Code {
  constructor(readonly source: string) {}
}
