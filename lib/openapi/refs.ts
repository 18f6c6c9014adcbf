/** A parsed OpenAPI document of any 3.x version, navigated without trusting its shape. */
export type OpenApiInput = Readonly<Record<string, unknown>>;

/** Whether a value is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Follows a local `$ref` (`#/components/responses/NotFound`) until it reaches an object that is not
 * a reference; anything else comes back as it is. References to other files are not followed: the
 * contract refuses documents that hold them.
 */
export function resolveRef(doc: OpenApiInput, value: unknown, seen = new Set<string>()): unknown {
  if (!isObject(value) || typeof value.$ref !== 'string') return value;
  const ref = value.$ref;
  if (!ref.startsWith('#/') || seen.has(ref)) return undefined;
  seen.add(ref);
  return resolveRef(doc, pointer(doc, refPointer(ref)), seen);
}

/** The JSON pointer of a local `$ref` (`#/components/schemas/My%20Thing` → `/components/schemas/My Thing`). */
export function refPointer(ref: string): string {
  const fragment = ref.slice(1);
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

/** A JSON pointer as a URI fragment, for `$ref`s: each segment percent-encoded. */
export function fragmentOf(path: string): string {
  return `#${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** The value at a JSON pointer (`/paths/~1users/get`), or undefined. */
export function pointer(doc: unknown, path: string): unknown {
  let here: unknown = doc;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(here) && !Array.isArray(here)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

/** A JSON pointer to a member: `/paths` + `/users/{id}` → `/paths/~1users~1{id}`. */
export function pointerTo(parent: string, key: string): string {
  return `${parent}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
