import { test } from '../../lib/fixtures';
import { floorShape } from '../../lib/floor/floor-plan';
import {
  describeTally,
  type FloorTally,
  runIdLifecycle,
  runListFloor,
  runValueFloor,
  tallyRequests,
} from '../../lib/floor/run-floor';
import { ApiStatusError } from '../../lib/http/api-errors';
import { ModelSession } from '../../lib/model/session';
import { postsResource } from '../../lib/posts/posts-resource';

/**
 * The coverage floor: the same covering set on every run and every environment, paced or not,
 * beside the model's random sequences. Every list parameter at its edges, search and filters, every
 * pair of list parameters, every class of field value and the id lifecycle, each answer checked
 * against the model of the contract (docs/coverage-floor.md). Derived from each resource's
 * declaration: users, and posts under a user with posts under another user beside them.
 */
test.describe('coverage floor', { tag: '@floor' }, () => {
  test.beforeEach(({ environment }) => {
    test.skip(
      !environment.allowWrites,
      `${environment.name} is read-only: the floor creates records`,
    );
  });

  /** Prints and attaches what the test's part of the floor cost. */
  async function report(part: string, tally: FloorTally): Promise<void> {
    const line = `coverage floor, ${part}: ${describeTally(tally)}`;
    console.log(line);
    test
      .info()
      .annotations.push({ type: 'floor', description: JSON.stringify({ part, ...tally }) });
    await test.info().attach('floor.txt', { body: line, contentType: 'text/plain' });
  }

  test('users: list parameters, pairs and ids answer as the contract says', async ({
    users,
    factory,
  }) => {
    const tally = tallyRequests(users);
    const shape = floorShape(users.resource.uniqueField, factory.build());
    const session = new ModelSession(users, factory);
    await runListFloor(session, shape, tally);
    await runIdLifecycle(session, users, shape, tally);
    await session.cleanUp();
    await report('users lists and ids', tally);
  });

  test('users: every class of field value round-trips', async ({ users, factory }) => {
    const tally = tallyRequests(users);
    const shape = floorShape(users.resource.uniqueField, factory.build());
    const session = new ModelSession(users, factory);
    await runValueFloor(session, shape, tally);
    await session.cleanUp();
    await report('users values', tally);
  });

  test("posts: lists, pairs and ids under a user, beside another user's posts", async ({
    users,
    api,
    factory,
  }) => {
    const tally = tallyRequests(users);
    const [owner, other] = [
      await users.create(factory.build()),
      await users.create(factory.build()),
    ];
    const posts = api(postsResource, { userId: owner.id });
    const postFactory = factory.for(postsResource);
    const shape = floorShape(postsResource.uniqueField, postFactory.build());
    const session = new ModelSession(posts, postFactory);
    const foreign = new ModelSession(
      api(postsResource, { userId: other.id }),
      postFactory,
      session.scope,
    );
    await skipWithoutPosts(() => runListFloor(session, shape, tally, foreign));
    await runIdLifecycle(session, posts, shape, tally, foreign);
    await session.cleanUp();
    await foreign.cleanUp();
    await report('posts lists and ids', tally);
  });

  test('posts: every class of field value round-trips', async ({ users, api, factory }) => {
    const tally = tallyRequests(users);
    const owner = await users.create(factory.build());
    const posts = api(postsResource, { userId: owner.id });
    const postFactory = factory.for(postsResource);
    const shape = floorShape(postsResource.uniqueField, postFactory.build());
    const session = new ModelSession(posts, postFactory);
    await skipWithoutPosts(() => runValueFloor(session, shape, tally));
    await session.cleanUp();
    await report('posts values', tally);
  });
});

/** Runs `part`, or skips the test when the environment has no posts under users (404 on a create). */
async function skipWithoutPosts(part: () => Promise<void>): Promise<void> {
  try {
    await part();
  } catch (error) {
    // A create of the first post answered 404: there is no such collection here.
    const missing = error instanceof ApiStatusError && error.status === 404;
    test.skip(missing, `this environment has no ${postsResource.path} (POST answered 404)`);
    throw error;
  }
}
