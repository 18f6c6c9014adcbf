/** Marks a body that arrived with a Content-Type other than JSON. */
export class NonJsonBody {
  constructor(readonly contentType: string) {}
}

/** Deeper bodies are refused: serialising them back would overflow the stack. */
const maxDepth = 64;

/** A write body, checked: either the fields to store or why it was refused. */
export type BodyCheck =
  { ok: true; fields: Readonly<Record<string, unknown>> } | { ok: false; message: string };

/** Accepts only a JSON object as the body of POST, PUT and PATCH. */
export function checkObjectBody(body: unknown): BodyCheck {
  if (body instanceof NonJsonBody) {
    return {
      ok: false,
      message: `unsupported Content-Type "${body.contentType}": send a JSON object with Content-Type: application/json`,
    };
  }
  if (body === undefined) {
    return {
      ok: false,
      message: 'request body is missing: send a JSON object with Content-Type: application/json',
    };
  }
  if (!isPlainObject(body)) {
    return { ok: false, message: `request body must be a JSON object, got ${describe(body)}` };
  }
  if (depthExceeds(body, maxDepth)) {
    return { ok: false, message: `request body is nested deeper than ${maxDepth} levels` };
  }
  return { ok: true, fields: body };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Iterative, so a hostile body cannot overflow the stack while being measured. */
function depthExceeds(root: unknown, limit: number): boolean {
  const pending: [value: unknown, depth: number][] = [[root, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (depth > limit) return true;
    if (typeof value === 'object' && value !== null) {
      for (const child of Object.values(value)) pending.push([child, depth + 1]);
    }
  }
  return false;
}
