/**
 * The time budget of one model call: `timeoutMs` bounds the whole call — every attempt, the
 * waits between retries, and for `stream()` the reading of the stream — not one HTTP attempt.
 *
 * Why kern runs the retries itself (the SDK clients it builds get `maxRetries: 0`): the SDKs
 * retry 408/409/429/5xx and connection failures, waiting as long as `retry-after` asks, and
 * neither can be told "never wait past this deadline". `openai` 6.x sleeps between attempts with
 * a plain timer that no signal interrupts, so a `retry-after: 3600` holds the call — and keeps
 * the process alive — for an hour whatever signal or timeout is passed; `@anthropic-ai/sdk` 1.x
 * wakes on abort but still starts the wait. So each attempt goes to the SDK with one signal that
 * fires at the deadline (or when the caller aborts), which also aborts the HTTP request, and
 * between attempts kern applies the SDKs' own retry rules (`retry-policy.ts`), except that a wait
 * longer than what is left of the budget is not started: the call fails at once and says why.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigurationError } from "../errors.js";
import { type AttemptFailure, type RetryWait, retryWait, shouldRetry } from "./retry-policy.js";

/**
 * The budget of a call when `timeoutMs` is not set: 10 minutes, the SDKs' own default for one
 * attempt, here for the whole call, so no `retry-after` can hold a run longer.
 */
export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
/** Retries after the first attempt when `maxRetries` is not set: the SDKs' own default. */
export const DEFAULT_MAX_RETRIES = 2;
/** The longest delay one timer can represent (about 24.8 days); Node fires longer ones at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The timers a call's budget runs on: `timeoutMs`'s deadline and the waits between retries. Real
 * timers unless an adapter is given another (tests pass one they advance by hand). The SDK's own
 * request timeout stays on real time: it is the same `timeoutMs`, and never fires first.
 */
export interface ModelClock {
  /** Milliseconds on a clock that never goes back (like `performance.now()`). */
  now(): number;
  /** Calls `fire` after `ms`, unless the returned function is called first. */
  schedule(ms: number, fire: () => void): () => void;
  /** Resolves after `ms`; rejects with an `AbortError` as soon as `signal` fires. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
}

/** Real timers; the deadline's is unref'd, so an abandoned stream does not keep the process alive. */
export const REAL_CLOCK: ModelClock = {
  now: () => performance.now(),
  schedule(ms, fire) {
    const timer = setTimeout(fire, ms).unref();
    return () => clearTimeout(timer);
  },
  sleep: (ms, signal) => sleep(ms, undefined, signal === undefined ? {} : { signal }),
};

/** An adapter's checked `timeoutMs` and `maxRetries`, and the clock they run on. */
export interface BudgetSettings {
  timeoutMs: number;
  maxRetries: number;
  /** Whether `timeoutMs` was left to {@link DEFAULT_TIMEOUT_MS}, so messages can say so. */
  defaultTimeout: boolean;
  clock: ModelClock;
}

function isClock(value: unknown): value is ModelClock {
  if (typeof value !== "object" || value === null) return false;
  const clock = value as Record<string, unknown>;
  return (
    typeof clock["now"] === "function" &&
    typeof clock["schedule"] === "function" &&
    typeof clock["sleep"] === "function"
  );
}

/** Checks an adapter's `timeoutMs` and `maxRetries` at construction and fills in the defaults. */
export function budgetSettings(
  adapter: string,
  options: { timeoutMs?: number | undefined; maxRetries?: number | undefined; clock?: ModelClock | undefined },
): BudgetSettings {
  const { timeoutMs, maxRetries, clock } = options;
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= MAX_TIMER_MS)) {
    throw new ConfigurationError(
      `${adapter}'s timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}, ` +
        `not ${String(timeoutMs)}; it bounds the whole call, retries included.`,
    );
  }
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw new ConfigurationError(
      `${adapter}'s maxRetries must be a whole number from 0 up, not ${String(maxRetries)}.`,
    );
  }
  if (clock !== undefined && !isClock(clock)) {
    throw new ConfigurationError(
      `${adapter}'s clock must have now(), schedule(ms, fire) and sleep(ms, signal); leave it out for real timers.`,
    );
  }
  return {
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: maxRetries ?? DEFAULT_MAX_RETRIES,
    defaultTimeout: timeoutMs === undefined,
    clock: clock ?? REAL_CLOCK,
  };
}

/**
 * Thrown by {@link CallBudget.run} instead of waiting, when the wait before the next retry is not
 * shorter than what is left of the budget. Its `cause` is the failed attempt's error; the error
 * mappings turn it into a `ModelError` that names the wait.
 */
export class RetryWaitTooLong extends Error {
  readonly wait: RetryWait;
  readonly remainingMs: number;

  constructor(cause: unknown, wait: RetryWait, remainingMs: number) {
    super(`The wait before the next retry (${Math.round(wait.ms)} ms) does not fit in the time left.`, { cause });
    this.name = "RetryWaitTooLong";
    this.wait = wait;
    this.remainingMs = remainingMs;
  }
}

/**
 * One model call's deadline and retries. Create it when the call starts, pass {@link signal} to
 * every SDK request (or let {@link run} do it), and call {@link end} when the call is over. Made
 * without settings — for an SDK client the user built, whose own timeout and retries apply — it
 * runs one attempt with the caller's signal and has no deadline.
 */
export class CallBudget {
  readonly settings: BudgetSettings | undefined;
  /** Aborts when the caller's signal does or when the budget runs out. */
  readonly signal: AbortSignal | undefined;
  readonly #failureOf: (error: unknown) => AttemptFailure | undefined;
  readonly #expiry = new AbortController();
  readonly #deadline: number;
  readonly #cancelTimer: (() => void) | undefined;
  #attempts = 0;

  /** `failureOf` describes an SDK error for the retry rules, `undefined` when it is never retried. */
  constructor(
    settings: BudgetSettings | undefined,
    callerSignal: AbortSignal | undefined,
    failureOf: (error: unknown) => AttemptFailure | undefined,
  ) {
    this.settings = settings;
    this.#failureOf = failureOf;
    if (settings === undefined) {
      this.signal = callerSignal;
      this.#deadline = Number.POSITIVE_INFINITY;
      this.#cancelTimer = undefined;
      return;
    }
    this.#deadline = settings.clock.now() + settings.timeoutMs;
    const reason = new DOMException(`The call took longer than ${settings.timeoutMs} ms.`, "TimeoutError");
    this.#cancelTimer = settings.clock.schedule(settings.timeoutMs, () => this.#expiry.abort(reason));
    const expiry = this.#expiry.signal;
    this.signal = callerSignal === undefined ? expiry : AbortSignal.any([callerSignal, expiry]);
  }

  /** Whether the deadline passed (and the current request was aborted for it). */
  get expired(): boolean {
    return this.#expiry.signal.aborted;
  }

  /** Attempts started so far. */
  get attempts(): number {
    return this.#attempts;
  }

  remainingMs(): number {
    return Math.max(0, this.#deadline - (this.settings?.clock ?? REAL_CLOCK).now());
  }

  /**
   * Runs `attempt` with {@link signal}, and again after each failure the retry rules allow, up
   * to `maxRetries` times, waiting in between. Throws the last attempt's error; a
   * {@link RetryWaitTooLong} when a wait would not fit in the budget; the sleep's `AbortError`
   * when the signal fires during a wait.
   */
  async run<T>(attempt: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const maxRetries = this.settings?.maxRetries ?? 0;
    for (let retry = 0; ; retry += 1) {
      this.#attempts += 1;
      try {
        return await attempt(this.signal);
      } catch (error) {
        const failure = this.signal?.aborted === true ? undefined : this.#failureOf(error);
        if (failure === undefined || retry >= maxRetries || !shouldRetry(failure)) throw error;
        const wait = retryWait(failure.headers, retry);
        const remainingMs = this.remainingMs();
        if (wait.ms >= remainingMs) throw new RetryWaitTooLong(error, wait, remainingMs);
        await (this.settings?.clock ?? REAL_CLOCK).sleep(wait.ms, this.signal);
      }
    }
  }

  /** Stops the deadline's timer; call it once the call is over, however it ended. */
  end(): void {
    this.#cancelTimer?.();
  }
}
