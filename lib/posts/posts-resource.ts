import { z } from 'zod';

import { defineResource } from '../resources/resource';

/** A post as the API returns it, nested under its user: `users/:userId/posts`. */
export const PostSchema = z.looseObject({
  id: z.string().min(1),
  userId: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  title: z.string().optional(),
  body: z.string().optional(),
});
export type Post = z.infer<typeof PostSchema>;

/** What a client sends to create a post; the user comes from the path. */
export const NewPostSchema = z.looseObject({ title: z.string(), body: z.string() });
export interface NewPost extends Record<string, unknown> {
  title: string;
  body: string;
}

/** Posts of a user, unique by title, which ends with the run's tag. */
export const postsResource = defineResource<Post, NewPost>({
  name: 'post',
  path: 'users/:userId/posts',
  schema: PostSchema,
  uniqueField: 'title',
  build: ({ faker, tag }) => ({
    title: `${faker.lorem.words(3)} ${tag}`,
    body: faker.lorem.paragraph(),
  }),
});
