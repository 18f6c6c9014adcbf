/**
 * Applies changes to a read replica after a lag, in the order they were made,
 * the way an asynchronously replicated backend does: a change whose lag is
 * drawn shorter than an earlier one's waits for it. One timer serves the whole
 * queue so that closing the server cancels everything pending.
 */
export class ReplicationQueue {
  readonly #lagMs: () => number;
  readonly #pending: { dueAt: number; apply: () => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** @param lagMs the lag, or what draws each change's lag */
  constructor(lagMs: number | (() => number)) {
    this.#lagMs = typeof lagMs === 'number' ? () => lagMs : lagMs;
  }

  /** Runs `apply` once the lag has passed (at once when the lag is zero). */
  enqueue(apply: () => void): void {
    if (this.#closed) return;
    const lagMs = this.#lagMs();
    if (lagMs === 0 && this.#pending.length === 0) {
      apply();
      return;
    }
    this.#pending.push({ dueAt: Date.now() + lagMs, apply });
    const head = this.#pending[0];
    this.#timer ??= setTimeout(
      () => {
        this.#drain();
      },
      Math.max(0, (head?.dueAt ?? 0) - Date.now()),
    );
  }

  /** Drops pending changes and stops the timer. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.length = 0;
  }

  #drain(): void {
    this.#timer = undefined;
    const now = Date.now();
    let next = this.#pending[0];
    while (next !== undefined && next.dueAt <= now) {
      this.#pending.shift();
      next.apply();
      next = this.#pending[0];
    }
    if (next !== undefined) {
      this.#timer = setTimeout(
        () => {
          this.#drain();
        },
        Math.max(0, next.dueAt - now),
      );
    }
  }
}
