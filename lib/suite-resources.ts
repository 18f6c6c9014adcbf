import { postsResource } from './posts/posts-resource';
import type { Resource } from './resources/resource';
import { usersResource } from './users/users-resource';

/** The resources this suite declares: the fixtures' default `resources`, swept after every worker. */
export const SUITE_RESOURCES: Resource[] = [usersResource, postsResource];
