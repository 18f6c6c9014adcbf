import { ResourceApi, type ResourceApiOptions } from '../resources/resource-api';
import type { NewUser, User } from './user-schema';
import { usersResource } from './users-resource';

/** The users resource: every operation of {@link ResourceApi}, plus a lookup by email. */
export class UsersApi extends ResourceApi<User, NewUser> {
  constructor(options: Omit<ResourceApiOptions<User, NewUser>, 'resource' | 'parents'>) {
    super({ ...options, resource: usersResource });
  }

  /** Every user whose email is exactly `email` (the API filters by substring, so this re-checks). */
  async findByEmail(email: string): Promise<User[]> {
    return this.findBy('email', email);
  }
}
