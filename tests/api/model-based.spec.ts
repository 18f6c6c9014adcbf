import { test } from '../../lib/fixtures';
import { modelBudget } from '../../lib/config/model-budget';
import { runModelBased } from '../../lib/model/run-model';

/**
 * Stateful, property-based testing: fast-check generates sequences of creates, reads, PUTs, PATCHes,
 * deletes and list queries with payloads from the user schema (unicode, long, empty, numbers, null,
 * nested values, extra fields), runs them against the API and a model of the mockapi.io contract
 * side by side, and fails with a shrunk, replayable test on the first answer the model did not
 * predict. Each sequence works in a scope of its own: lists filter on it, so other data never matters.
 */
test.describe('model-based', { tag: '@model' }, () => {
  test('random sequences of user operations answer as the mockapi.io model predicts', async ({
    users,
    factory,
    environment,
  }, testInfo) => {
    test.skip(!environment.allowWrites, `${environment.name} is read-only: sequences create users`);
    const budget = modelBudget(environment);
    // Sequences and shrinking stop at the budget; the last sequence and the teardown, which deletes
    // every user the sequences created, need room beyond it.
    test.setTimeout(2 * budget.timeMs + 2 * environment.consistency.timeoutMs + 60_000);
    await runModelBased({ users, factory }, { budget, project: testInfo.project.name });
  });
});
