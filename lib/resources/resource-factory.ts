import type { Faker } from '@faker-js/faker';
// The English locale's entry: the package's main one loads every locale, about 0.3 s of CPU in each
// worker and child process.
import { faker as english } from '@faker-js/faker/locale/en';

import type { ApiRecord, Payload, Resource } from './resource';
import { runMarker } from './run-marker';

export interface FactoryOptions {
  /** Identifies this run of the suite; shared by every worker and shard of it. */
  runId: string;
  /** Playwright's parallelIndex: a replacement worker reuses it, so its sweep finds a crashed worker's data. */
  parallelIndex?: number;
  /** Playwright's workerIndex: unique per worker process, so counters never collide. */
  workerIndex?: number;
  /** Makes generated values reproducible. */
  seed?: number;
}

type FakerClass = new (options: { locale: Faker['rawDefinitions'] }) => Faker;

/** A Faker of its own, so that its seed is its own, with the English definitions. */
export const englishFaker = (): Faker =>
  new (english.constructor as FakerClass)({ locale: english.rawDefinitions });

/** Faker, the marker and one counter, shared by the factories of every resource of a test. */
class DataSource {
  readonly faker = englishFaker();
  readonly marker: string;
  private counter = 0;

  constructor(private readonly options: FactoryOptions) {
    if (!/^[a-z0-9]+$/.test(options.runId)) {
      throw new Error(`run id "${options.runId}" must be lower-case letters and digits`);
    }
    if (options.seed !== undefined) this.faker.seed(options.seed);
    this.marker = runMarker(options.runId, options.parallelIndex ?? 0);
  }

  /** A tag no other record of any run, worker or resource gets: the marker, the worker, a counter. */
  nextTag(): string {
    this.counter += 1;
    return `${this.marker}w${this.options.workerIndex ?? 0}-${this.counter}`;
  }
}

/** Builds realistic, collision-free payloads of one resource that carry this run's marker. */
export class ResourceFactory<P extends Payload> {
  private readonly data: DataSource;

  constructor(
    readonly resource: Resource<ApiRecord, P>,
    source: FactoryOptions | DataSource,
  ) {
    this.data = source instanceof DataSource ? source : new DataSource(source);
  }

  /** The marker shared by every record this factory's worker slot builds in this run. */
  get marker(): string {
    return this.data.marker;
  }

  /** One payload; `overrides` replace any generated field or add new ones. */
  build(overrides: Partial<P> & Payload = {}): P {
    return {
      ...this.resource.build({ faker: this.data.faker, tag: this.data.nextTag() }),
      ...overrides,
    };
  }

  /** `count` payloads, each with the same overrides. */
  buildMany(count: number, overrides: Partial<P> & Payload = {}): P[] {
    return Array.from({ length: count }, () => this.build(overrides));
  }

  /** The factory of another resource, sharing this one's marker and counter: `factory.for(posts)`. */
  for<Q extends Payload>(resource: Resource<ApiRecord, Q>): ResourceFactory<Q> {
    return new ResourceFactory(resource, this.data);
  }
}
