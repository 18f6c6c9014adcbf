import { expect, test } from '@playwright/test';

import { createPacer, LocalPacer, SharedPacer } from '../../lib/http/pacer';
import { startPacingCoordinator } from '../../lib/http/pacing-coordinator';
import { RateSchedule } from '../../lib/http/rate-schedule';

/** The send times a schedule gives `count` requests that all ask at `now`. */
const slots = (schedule: RateSchedule, count: number, now = 0) =>
  Array.from({ length: count }, () => now + schedule.reserve(now));

test.describe('RateSchedule', () => {
  test('spaces requests evenly at the rate, the first at once', () => {
    expect(slots(new RateSchedule({ ratePerSecond: 10, probeCeiling: 1 }), 4)).toEqual([
      0, 100, 200, 300,
    ]);
  });

  test('an idle schedule lets the next request go at once', () => {
    const schedule = new RateSchedule({ ratePerSecond: 10 });
    schedule.reserve(0);
    expect(schedule.reserve(5_000)).toBe(0);
  });

  test('probes above the configured rate while requests wait for slots, up to twice it', () => {
    const schedule = new RateSchedule({ ratePerSecond: 10 });
    // Back to back, 0.05 × 10 per second: 10 + 0.5 t per second, 112 requests in about 9 s.
    const sent = slots(schedule, 112);
    expect(sent.at(-1)).toBeGreaterThan(8_500);
    expect(sent.at(-1)).toBeLessThan(9_500);
    expect(schedule.rate).toBeGreaterThan(14);
    expect(schedule.rate).toBeLessThan(15);
    slots(schedule, 5_000);
    expect(schedule.rate).toBe(20);
  });

  test('a schedule that is not kept busy does not climb', () => {
    const schedule = new RateSchedule({ ratePerSecond: 10 });
    for (let t = 0; t < 100; t += 1) schedule.reserve(t * 150);
    expect(schedule.rate).toBe(10);
  });

  test('a 429 cuts the rate by a fifth; near the rate throttled it climbs a quarter as fast', () => {
    const schedule = new RateSchedule({ ratePerSecond: 10, probeCeiling: 4 });
    schedule.throttled(0);
    expect(schedule.rate).toBe(8);
    // Back to back at 0.5 per second per second, to 9 (nine tenths of 10) in about 2 s...
    const fast = slots(schedule, 17, 1_000);
    expect(schedule.rate).toBeGreaterThan(8.9);
    expect(schedule.rate).toBeLessThan(9.05);
    expect(fast.at(-1)).toBeLessThan(3_100);
    // ...then at 0.125: about 4 s more adds about half a request per second, not two.
    const slow = slots(schedule, 38, fast.at(-1) ?? 0);
    expect(slow.at(-1)).toBeGreaterThan(6_500);
    expect(schedule.rate).toBeGreaterThan(9.3);
    expect(schedule.rate).toBeLessThan(9.7);
  });

  test('429s of requests sent before the last decrease do not decrease it again', () => {
    const schedule = new RateSchedule({ ratePerSecond: 8 });
    schedule.throttled(1_000, { bookedAt: 900 });
    schedule.throttled(1_050, { bookedAt: 950 });
    expect(schedule.rate).toBeCloseTo(6.4);
    schedule.throttled(1_500, { bookedAt: 1_200 });
    expect(schedule.rate).toBeCloseTo(5.12);
  });

  test('the rate never drops below its floor', () => {
    const schedule = new RateSchedule({ ratePerSecond: 10, floor: 0.1 });
    for (let t = 0; t < 20; t += 1) schedule.throttled(t * 10, { bookedAt: t * 10 });
    expect(schedule.rate).toBe(1);
  });

  test('Retry-After holds every request back, not just the throttled one', () => {
    const schedule = new RateSchedule({ ratePerSecond: 100 });
    schedule.throttled(0, { retryAfterMs: 1_000 });
    expect(schedule.reserve(10)).toBe(990);
    expect(schedule.reserve(10)).toBeGreaterThanOrEqual(990);
    expect(schedule.holdRemaining(10)).toBe(990);
    expect(schedule.holdRemaining(1_000)).toBe(0);
  });

  test('a request whose slot was booked before a Retry-After is held when its slot comes', async () => {
    const schedule = new RateSchedule({ ratePerSecond: 20 });
    const pacer = new LocalPacer(schedule);
    await pacer.acquire(); // the first slot, at once
    const second = pacer.acquire(); // booked 50 ms out
    schedule.throttled(performance.now(), { retryAfterMs: 300 });
    const started = performance.now();
    await second;
    // A lower bound: the booked slot came after 50 ms, but the hold kept it back to 300.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('refuses a rate of 0', () => {
    expect(() => new RateSchedule({ ratePerSecond: 0 })).toThrow('a rate above 0');
  });
});

test.describe('pacers', () => {
  test('a rate of 0 means no pacer at all', () => {
    expect(createPacer({ key: 'qa', ratePerSecond: 0 })).toBeUndefined();
    expect(createPacer({ key: 'qa', ratePerSecond: 5 })).toBeInstanceOf(LocalPacer);
    expect(
      createPacer({ key: 'qa', ratePerSecond: 5, coordinatorUrl: 'http://x/' }),
    ).toBeInstanceOf(SharedPacer);
  });

  test('the coordinator gives two workers one schedule, divided among shards', async () => {
    const coordinator = await startPacingCoordinator({ shards: 2 });
    try {
      const ask = async (key: string) => {
        const response = await fetch(coordinator.url, {
          method: 'POST',
          body: JSON.stringify({ op: 'reserve', key, ratePerSecond: 1 }),
        });
        const { delayMs } = (await response.json()) as { delayMs: number };
        return { delayMs, answeredAt: performance.now() };
      };
      // Two shards of a 1/s budget: 0.5/s here, one request every 2 s, whoever asks.
      const first = performance.now();
      for (let i = 0; i < 3; i += 1) {
        const { delayMs, answeredAt } = await ask('qa');
        // Bounds that a slow machine cannot break: the slot is 2 s after the previous one.
        expect(answeredAt + delayMs - first).toBeGreaterThanOrEqual(2_000 * i);
        expect(delayMs).toBeLessThanOrEqual(2_000 * i);
      }
      // Another environment has a schedule of its own.
      expect((await ask('staging')).delayMs).toBe(0);
    } finally {
      await coordinator.close();
    }
  });

  test('a shared pacer whose coordinator is gone still paces, alone', async () => {
    const coordinator = await startPacingCoordinator();
    const url = coordinator.url;
    await coordinator.close();
    const pacer = new SharedPacer(url, 'qa', 1_000);
    await pacer.acquire();
    await pacer.throttled(performance.now(), 0);
  });
});
