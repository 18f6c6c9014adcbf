import { type FactoryOptions, ResourceFactory } from '../resources/resource-factory';
import type { NewUser } from './user-schema';
import { usersResource } from './users-resource';

/** Builds realistic, collision-free user payloads that carry this run's marker. */
export class UserFactory extends ResourceFactory<NewUser> {
  constructor(options: FactoryOptions) {
    super(usersResource, options);
  }
}
