/**
 * A {@link ModelClock} whose time moves only when a test calls {@link FakeClock.advance}: a
 * call's deadline and its retry waits are then decided by the test, not by how loaded the
 * machine is.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * const pending = model({ timeoutMs: 60_000, clock }).generate(request);
 * assert.equal(await clock.sleeping(), 1000); // the adapter waits out a retry-after of 1 s
 * clock.advance(1000);
 * await pending;
 * ```
 */
import type { ModelClock } from "./call-budget.js";

interface Timer {
  at: number;
  fire(): void;
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error("The operation was aborted", { cause: signal.reason }), {
    name: "AbortError",
    code: "ABORT_ERR",
  });
}

export class FakeClock implements ModelClock {
  /** Every wait the budget asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  #now = 0;
  #timers: Timer[] = [];
  #sleepers: Array<(ms: number) => void> = [];
  #unseenSleeps: number[] = [];

  now(): number {
    return this.#now;
  }

  schedule(ms: number, fire: () => void): () => void {
    const timer = { at: this.#now + ms, fire };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((entry) => entry !== timer);
    };
  }

  sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    this.sleeps.push(ms);
    const waiter = this.#sleepers.shift();
    if (waiter === undefined) this.#unseenSleeps.push(ms);
    else waiter(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) return reject(abortError(signal));
      const onAbort = (): void => {
        cancel();
        reject(abortError(signal as AbortSignal));
      };
      const cancel = this.schedule(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Resolves with the length of the next wait the budget starts (or the one it started unseen). */
  sleeping(): Promise<number> {
    const unseen = this.#unseenSleeps.shift();
    if (unseen !== undefined) return Promise.resolve(unseen);
    return new Promise((resolve) => this.#sleepers.push(resolve));
  }

  /** Moves time on by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#now = due.at;
      due.fire();
    }
    this.#now = target;
  }
}
