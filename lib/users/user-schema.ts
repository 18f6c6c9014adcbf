import { z } from 'zod';

/**
 * A user as the API returns it. mockapi.io lets each project define its own fields and fills in
 * those a client leaves out, so only what the contract guarantees is required: a string id and an
 * ISO createdAt. The usual fields are typed when present, and unknown fields pass through.
 */
export const UserSchema = z.looseObject({
  id: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  name: z.string().optional(),
  email: z.string().optional(),
  avatar: z.string().optional(),
});
export type User = z.infer<typeof UserSchema>;

/** What a client sends to create or replace a user; server-owned fields are excluded. */
export const NewUserSchema = z.looseObject({
  name: z.string(),
  email: z.string(),
  avatar: z.string().optional(),
});
export type NewUser = z.infer<typeof NewUserSchema>;

/** A partial update. */
export type UserPatch = Partial<NewUser> & Record<string, unknown>;
