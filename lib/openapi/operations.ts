import { routeOf } from '../http/api-observer';
import { isObject, type OpenApiInput, resolveRef } from './refs';

/** The HTTP methods an OpenAPI path item may hold, as the document spells them. */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export type OperationMethod = Uppercase<(typeof METHODS)[number]>;

/** One documented operation, in the terms API coverage compares calls with. */
export interface DocumentedOperation {
  method: OperationMethod;
  /** The path as documented: `/users/{userId}/posts/{id}`. */
  template: string;
  /**
   * The template as calls are grouped (see `routeOf`): every second segment is an id, by position,
   * whatever the document names it: `users/:id/posts/:id`.
   */
  route: string;
  /** The response keys as documented: `200`, `404`, `4XX`, `default`. */
  statuses: string[];
  /** Names of its query parameters, the path item's and the operation's own. */
  queryParameters: string[];
}

/** Every operation of an OpenAPI 3.x document, in the order of its paths. */
export function operationsOf(doc: OpenApiInput): DocumentedOperation[] {
  const paths = isObject(doc.paths) ? doc.paths : {};
  const operations: DocumentedOperation[] = [];
  for (const [template, rawItem] of Object.entries(paths)) {
    const item = resolveRef(doc, rawItem);
    if (!isObject(item)) continue;
    const shared = parametersOf(doc, item.parameters);
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const own = parametersOf(doc, operation.parameters);
      const query = [...shared, ...own].filter((p) => p.in === 'query').map((p) => p.name);
      operations.push({
        method: method.toUpperCase() as OperationMethod,
        template,
        route: routeOf(trimSlashes(template)),
        statuses: isObject(operation.responses) ? Object.keys(operation.responses) : [],
        queryParameters: [...new Set(query)],
      });
    }
  }
  return operations;
}

/**
 * The operation a call is for: `path` is relative to the API root, without a leading slash, and may
 * hold a query (`users/12?page=2`). Matched segment by segment; where several templates match, the
 * one with a literal segment where the others have a parameter wins, leftmost first, as OpenAPI
 * prefers concrete paths (`/users/me` over `/users/{id}`).
 */
export function matchOperation(
  operations: readonly DocumentedOperation[],
  method: string,
  path: string,
): DocumentedOperation | undefined {
  const wanted = method.toUpperCase();
  const segments = trimSlashes(path.split(/[?#]/)[0] ?? '').split('/');
  let best: { operation: DocumentedOperation; literal: boolean[] } | undefined;
  for (const operation of operations) {
    if (operation.method !== wanted) continue;
    const literal = matchTemplate(operation.template, segments);
    if (literal === undefined) continue;
    if (best === undefined || moreSpecific(literal, best.literal)) best = { operation, literal };
  }
  return best?.operation;
}

/** For each segment whether the template has it literally; undefined when the template does not match. */
function matchTemplate(template: string, segments: readonly string[]): boolean[] | undefined {
  const parts = trimSlashes(template).split('/');
  if (parts.length !== segments.length) return undefined;
  const literal: boolean[] = [];
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? '';
    if (!part.includes('{')) {
      if (part !== segment && part !== decoded(segment)) return undefined;
      literal.push(true);
    } else {
      if (segment === '' || !templatePattern(part).test(decoded(segment))) return undefined;
      literal.push(false);
    }
  }
  return literal;
}

/** `{id}` → any segment; `{id}.json` → a segment ending in `.json`. */
function templatePattern(part: string): RegExp {
  const source = part
    .split(/\{[^}]*\}/)
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${source}$`, 's');
}

function moreSpecific(a: readonly boolean[], b: readonly boolean[]): boolean {
  for (const [index, literal] of a.entries()) {
    if (literal !== b[index]) return literal;
  }
  return false;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

function parametersOf(doc: OpenApiInput, raw: unknown): { name: string; in: string }[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .map((parameter) => resolveRef(doc, parameter))
    .filter(
      (p): p is { name: string; in: string } =>
        isObject(p) && typeof p.name === 'string' && typeof p.in === 'string',
    );
}
