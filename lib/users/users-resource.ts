import { defineResource } from '../resources/resource';
import { type NewUser, type User, UserSchema } from './user-schema';

/** An email's local part holds at most 64 characters (RFC 5321): the name gives way to the tag. */
const MAX_LOCAL_PART = 64;

/** The flagship resource: `users`, unique by email, which carries the run's marker after a `+`. */
export const usersResource = defineResource<User, NewUser>({
  name: 'user',
  path: 'users',
  schema: UserSchema,
  uniqueField: 'email',
  build: ({ faker, tag }) => {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const local = `${firstName}.${lastName}`
      .toLowerCase()
      .replace(/[^a-z0-9.]/g, '')
      .slice(0, Math.max(1, MAX_LOCAL_PART - tag.length - 1))
      .replace(/\.$/, '');
    // example.com is reserved for documentation and never delivers mail.
    return {
      name: `${firstName} ${lastName}`,
      email: `${local}+${tag}@example.com`,
      avatar: faker.image.avatar(),
    };
  },
});
