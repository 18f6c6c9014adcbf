import type { Faker } from '@faker-js/faker';
import { z } from 'zod';

/** What every record of a mockapi.io-style resource has: a string id; the rest is the resource's. */
export type ApiRecord = { id: string } & Record<string, unknown>;

/** A payload a client sends to create a record. */
export type Payload = Record<string, unknown>;

/** Everything the framework needs to know about a resource; see {@link defineResource}. */
export interface ResourceDeclaration<R extends ApiRecord, P extends Payload> {
  /** Singular noun for messages and schema errors: `user`, `post`. */
  name: string;
  /** Path under the API root, parent ids as `:name`: `users`, `users/:userId/posts`. */
  path: string;
  /** The record as the API returns it. */
  schema: z.ZodType<R>;
  /**
   * A field unique to every payload the factory builds, carrying the run's marker: a create that
   * failed ambiguously is looked up by it, and leftovers of crashed runs are found by it.
   */
  uniqueField: keyof P & string;
  /** A realistic payload whose unique field contains `tag` (the run's marker, worker and counter). */
  build(tools: { faker: Faker; tag: string }): P;
}

/**
 * A declared resource: its declaration plus what the framework derives from it once. The unique
 * field is a plain string here, so any resource fits where any resource is meant (registries, sweeps).
 */
export interface Resource<
  R extends ApiRecord = ApiRecord,
  P extends Payload = Payload,
> extends Omit<ResourceDeclaration<R, P>, 'uniqueField'> {
  uniqueField: string;
  /** The names of the parent ids the path needs, in order: `['userId']`. */
  parentParams: readonly string[];
  /** A list of records. */
  listSchema: z.ZodType<R[]>;
}

/** Declares a resource; the result is all a test needs to create, read, list, clean up and sweep it. */
export function defineResource<R extends ApiRecord, P extends Payload>(
  declaration: ResourceDeclaration<R, P>,
): Resource<R, P> {
  const parentParams = [...declaration.path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1] ?? '');
  return { ...declaration, parentParams, listSchema: z.array(declaration.schema) };
}

/** The collection path of a resource with its parent ids filled in: `users/7/posts`. */
export function collectionPath(
  resource: Resource,
  parents: Readonly<Record<string, string>>,
): string {
  return resource.path.replace(/:([A-Za-z_]\w*)/g, (_whole, name: string) => {
    const value = parents[name];
    if (value === undefined || value === '')
      throw new Error(`${resource.name}: the path ${resource.path} needs ${name}`);
    return encodeURIComponent(value);
  });
}

/** mockapi.io's body for a missing record or an empty query result. */
export const NotFoundSchema = z.literal('Not found');
