import { z } from 'zod';

/**
 * A collection the server serves. A top-level resource lives at `/<name>`; a child resource also
 * lives under its parent, at `/<parent>/:parentId/<name>`, and its records carry the parent's id in
 * `parentField` (mockapi.io's `userId` for a child of `users`).
 */
export interface ResourceDeclaration {
  name: string;
  parent: string | undefined;
  /** Field of a child record holding its parent's id; undefined for a top-level resource. */
  parentField: string | undefined;
}

/** What the server serves unless told otherwise: mockapi.io's users and a child of theirs. */
export const defaultResources = ['users', 'users/:userId/posts'];

const namePattern = /^[A-Za-z][A-Za-z0-9_-]*$/;
const fieldPattern = /^[A-Za-z][A-Za-z0-9_]*$/;
/** `NAME` or `PARENT/:FIELD/NAME`, the way the child's URL reads. */
const specPattern =
  /^([A-Za-z][A-Za-z0-9_-]*)(?:\/:([A-Za-z][A-Za-z0-9_]*)\/([A-Za-z][A-Za-z0-9_-]*))?$/;
/** The server owns these; a parent id stored in one of them would be overwritten. */
const serverOwnedFields = new Set(['id', 'createdAt']);

/**
 * The id field a child of `parent` gets: the parent's name in the singular plus `Id`, as mockapi.io
 * names it (`users` → `userId`, `categories` → `categoryId`). Irregular plurals need the field
 * spelled out in the declaration.
 */
export function parentFieldOf(parent: string): string {
  let singular = parent;
  if (/[^aeiou]ies$/i.test(parent)) singular = `${parent.slice(0, -3)}y`;
  else if (/(s|x|z|ch|sh)es$/i.test(parent)) singular = parent.slice(0, -2);
  else if (/[^s]s$/i.test(parent)) singular = parent.slice(0, -1);
  return `${singular}Id`;
}

/** How a declaration is written on the command line and in messages. */
export function resourceSpec(resource: ResourceDeclaration): string {
  return resource.parent === undefined
    ? resource.name
    : `${resource.parent}/:${resource.parentField ?? ''}/${resource.name}`;
}

const specSchema = z
  .string()
  .regex(specPattern, 'must be NAME or PARENT/:parentIdField/NAME, e.g. users/:userId/posts')
  .transform((spec): ResourceDeclaration => {
    const [, first = '', field, child] = specPattern.exec(spec) ?? [];
    return child === undefined
      ? { name: first, parent: undefined, parentField: undefined }
      : { name: child, parent: first, parentField: field };
  });

const objectSchema = z
  .strictObject({
    name: z.string().regex(namePattern, 'must start with a letter: letters, digits, _ and -'),
    parent: z
      .string()
      .regex(namePattern, 'must start with a letter: letters, digits, _ and -')
      .optional(),
    parentField: z.string().regex(fieldPattern, 'must be a plain field name').optional(),
  })
  .transform(({ name, parent, parentField }): ResourceDeclaration => ({
    name,
    parent,
    parentField: parent === undefined ? undefined : (parentField ?? parentFieldOf(parent)),
  }));

/**
 * The resources a server serves, each as `NAME`, `PARENT/:parentIdField/NAME` or
 * `{ name, parent?, parentField? }`. Names are unique and a child's parent is declared too.
 */
export const resourcesSchema = z
  .array(
    z.union([specSchema, objectSchema], {
      error:
        'must be NAME or PARENT/:parentIdField/NAME, e.g. users/:userId/posts, or { name, parent?, parentField? }',
    }),
  )
  .min(1, 'declare at least one resource')
  .superRefine((resources, context) => {
    const names = new Set<string>();
    resources.forEach((resource, index) => {
      if (names.has(resource.name)) {
        context.addIssue({
          code: 'custom',
          path: [index],
          message: `resource "${resource.name}" is declared twice`,
        });
      }
      names.add(resource.name);
    });
    resources.forEach((resource, index) => {
      if (resource.parent === undefined) return;
      if (resource.parent === resource.name || !names.has(resource.parent)) {
        context.addIssue({
          code: 'custom',
          path: [index],
          message: `the parent "${resource.parent}" of "${resource.name}" must be declared as a resource of its own`,
        });
      } else if (serverOwnedFields.has(resource.parentField ?? '')) {
        context.addIssue({
          code: 'custom',
          path: [index],
          message: `"${resource.parentField ?? ''}" belongs to the server; name the parent id field e.g. ${parentFieldOf(resource.parent)}`,
        });
      }
    });
  });
