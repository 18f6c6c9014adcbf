import fc from 'fast-check';
import type { z } from 'zod';

import { type JsonObject, show } from './json';
import { emailLocalPart, objectFor } from './payloads';
import { Code } from './code';
import { type QuerySpec, querySpec, resolveQuery, type TermSource } from './query-spec';
import type { ModelSession } from './session';
import type { ModelUser, UsersModel } from './users-model';

/** A command of a generated sequence: checked against the model, run through a session. */
export type UserCommand = fc.AsyncCommand<UsersModel, ModelSession>;

/** The user a command means by `pick`, among the live (or the deleted) ones. */
const pickOf = (users: readonly ModelUser[], pick: number) => users[pick % users.length];

abstract class OnUser implements UserCommand {
  constructor(
    protected readonly pick: number,
    private readonly among: 'live' | 'gone' = 'live',
  ) {}

  check(model: Readonly<UsersModel>): boolean {
    return model[this.among].length > 0;
  }

  async run(model: UsersModel, session: ModelSession): Promise<void> {
    const user = pickOf(model[this.among], this.pick);
    if (user === undefined) throw new Error(`no ${this.among} user to pick`);
    session.commandsRun += 1;
    await this.on(user, session);
  }

  protected abstract on(user: ModelUser, session: ModelSession): Promise<void>;
  abstract toString(): string;
}

class Create implements UserCommand {
  constructor(
    readonly fields: JsonObject,
    readonly emailLocal: string,
  ) {}
  check = () => true;
  async run(_model: UsersModel, session: ModelSession): Promise<void> {
    session.commandsRun += 1;
    await session.create(this.fields, this.emailLocal);
  }
  toString = () => `create(${show(this.fields, 60)})`;
}

class CreateMany implements UserCommand {
  constructor(readonly users: readonly { fields: JsonObject; emailLocal: string }[]) {}
  check = () => true;
  async run(_model: UsersModel, session: ModelSession): Promise<void> {
    session.commandsRun += 1;
    for (const { fields, emailLocal } of this.users) await session.create(fields, emailLocal);
  }
  toString = () => `createMany(${this.users.length})`;
}

class Read extends OnUser {
  protected on = (user: ModelUser, session: ModelSession) => session.read(user);
  toString = () => `read(live#${this.pick})`;
}

class ReadDeleted extends OnUser {
  constructor(pick: number) {
    super(pick, 'gone');
  }
  protected on = (user: ModelUser, session: ModelSession) => session.read(user);
  toString = () => `read(deleted#${this.pick})`;
}

class Write extends OnUser {
  constructor(
    private readonly method: 'put' | 'patch',
    pick: number,
    readonly fields: JsonObject,
    readonly emailLocal: string | undefined,
  ) {
    super(pick);
  }
  protected on = (user: ModelUser, session: ModelSession) =>
    session[this.method](user, this.fields, this.emailLocal);
  toString = () => `${this.method}(live#${this.pick}, ${show(this.fields, 60)})`;
}

class Delete extends OnUser {
  protected on = (user: ModelUser, session: ModelSession) => session.delete(user);
  toString = () => `delete(live#${this.pick})`;
}

class DeleteAgain extends OnUser {
  constructor(pick: number) {
    super(pick, 'gone');
  }
  protected on = (user: ModelUser, session: ModelSession) => session.deleteAgain(user);
  toString = () => `deleteAgain(deleted#${this.pick})`;
}

class List implements UserCommand {
  constructor(readonly spec: QuerySpec) {}
  check = () => true;
  async run(model: UsersModel, session: ModelSession): Promise<void> {
    session.commandsRun += 1;
    const live = model.live;
    const sources: { filter?: TermSource; search?: TermSource } = {};
    const query = resolveQuery(
      this.spec,
      live.map((u) => u.record),
      { field: session.scopeField, scope: session.scope },
      sources,
    );
    // A term cut from a user's field prints as the cut itself: a replay's users hold other values
    // (another scope, other generated fields), and a literal piece of this run's would miss them.
    const cut = (source: TermSource) => {
      const user = live[source.user];
      return user === undefined
        ? undefined
        : new Code(
            `model.piece(${user.ref}, ${JSON.stringify(source.field)}, ${source.start}, ${source.length})`,
          );
    };
    const filterCut = sources.filter && cut(sources.filter);
    const searchCut = sources.search && cut(sources.search);
    const printed = {
      ...query,
      ...(query.filter !== undefined && filterCut !== undefined
        ? { filter: { field: query.filter.field, value: filterCut } }
        : {}),
      ...(searchCut === undefined ? {} : { search: searchCut }),
    };
    await session.list(query, this.spec.upperScope ? { upperScope: true } : {}, printed);
  }
  toString = () => `list(${show(this.spec, 80)})`;
}

/**
 * The commands a sequence is made of, from the schema of what a client sends (`schema`, whose
 * `uniqueField` the session fills in with the run's marker; `serverSet`, fields such as a parent id
 * that the path sets, are never sent). Creates, several at once too, and
 * lists come more often than the rest: reads, writes and lists need users to work on, and
 * orderings that break only past a handful of records need more than a handful.
 */
export function userCommands(
  schema: z.ZodObject,
  uniqueField: string,
  serverSet: readonly string[] = [],
): fc.Arbitrary<UserCommand>[] {
  const newUser = fc.record({
    fields: objectFor(schema, { leave: [uniqueField, ...serverSet] }),
    emailLocal: emailLocalPart(),
  });
  const changes = objectFor(schema, { leave: [uniqueField, ...serverSet], partial: true });
  const pick = fc.nat(9);
  const write = (method: 'put' | 'patch') =>
    fc
      .tuple(pick, changes, fc.option(emailLocalPart(), { nil: undefined, freq: 4 }))
      .map(([p, fields, local]) => new Write(method, p, fields, local));
  const weighted = (weight: number, arbitrary: fc.Arbitrary<UserCommand>) =>
    Array.from({ length: weight }, () => arbitrary);
  return [
    ...weighted(
      3,
      newUser.map(({ fields, emailLocal }) => new Create(fields, emailLocal)),
    ),
    ...weighted(
      3,
      fc.array(newUser, { minLength: 1, maxLength: 8 }).map((users) => new CreateMany(users)),
    ),
    ...weighted(
      2,
      pick.map((p) => new Read(p)),
    ),
    ...weighted(
      1,
      pick.map((p) => new ReadDeleted(p)),
    ),
    ...weighted(1, write('put')),
    ...weighted(2, write('patch')),
    ...weighted(
      2,
      pick.map((p) => new Delete(p)),
    ),
    ...weighted(
      1,
      pick.map((p) => new DeleteAgain(p)),
    ),
    ...weighted(
      4,
      querySpec().map((spec) => new List(spec)),
    ),
  ];
}
