import { test } from '../../lib/fixtures';
import { modelBudget } from '../../lib/config/model-budget';
import { runModelBased } from '../../lib/model/run-model';
import { NewPostSchema, postsResource } from '../../lib/posts/posts-resource';
import { NewUserSchema } from '../../lib/users/user-schema';

/**
 * Stateful, property-based testing: fast-check generates sequences of creates, reads, PUTs, PATCHes,
 * deletes and list queries with payloads from the resource's schema (unicode, long, empty, numbers,
 * null, nested values, extra fields), runs them against the API and a model of the mockapi.io
 * contract side by side, and fails with a shrunk, replayable test on the first answer the model did
 * not predict. Each sequence works in a scope of its own: lists filter on it, so other data never
 * matters.
 */
test.describe('model-based', () => {
  test(
    'random sequences of user operations answer as the mockapi.io model predicts',
    { tag: '@model' },
    async ({ users, factory, environment }, testInfo) => {
      test.skip(
        !environment.allowWrites,
        `${environment.name} is read-only: sequences create users`,
      );
      const budget = modelBudget(environment);
      // Sequences and shrinking stop at the budget; the last sequence and the teardown, which deletes
      // every user the sequences created, need room beyond it.
      test.setTimeout(2 * budget.timeMs + 2 * environment.consistency.timeoutMs + 60_000);
      await runModelBased(
        { api: users, factory, schema: NewUserSchema },
        { budget, project: testInfo.project.name },
      );
    },
  );

  // Its own tag, so that `--grep @model` (and the model's sensitivity run) still means the users run.
  test(
    'random sequences of post operations under a user answer as the model predicts',
    { tag: ['@posts-model', '@nested'] },
    async ({ users, api, factory, environment }, testInfo) => {
      test.skip(
        !environment.allowWrites,
        `${environment.name} is read-only: sequences create posts`,
      );
      const budget = modelBudget(environment);
      test.setTimeout(2 * budget.timeMs + 2 * environment.consistency.timeoutMs + 60_000);
      const owner = await users.create(factory.build());
      await runModelBased(
        {
          api: api(postsResource, { userId: owner.id }),
          factory: factory.for(postsResource),
          schema: NewPostSchema,
          opening: {
            imports: [`import { postsResource } from '../../lib/posts/posts-resource';`],
            fixtures: 'users, api, factory',
            setup: [
              'const owner = await users.create(factory.build());',
              'const model = new ModelSession(api(postsResource, { userId: owner.id }), factory.for(postsResource));',
            ],
          },
        },
        { budget, project: testInfo.project.name },
      );
    },
  );
});
