/**
 * Which failed attempts of a model call are worth retrying, and how long to wait first. These are
 * the official SDKs' own rules (`openai` 6.x and `@anthropic-ai/sdk` 1.x share them), restated here
 * because kern runs the retries itself so that no wait outlasts the call's time budget (see
 * `call-budget.ts` for why). Nothing here imports a provider SDK: each adapter describes its SDK's
 * errors as an {@link AttemptFailure}.
 */

/** What the retry rules need to know about one failed attempt. */
export interface AttemptFailure {
  /** The HTTP status, or `undefined` when no response came (refused, reset or timed-out connection). */
  status: number | undefined;
  /** The response's headers, when there was a response. */
  headers: Headers | undefined;
}

/** How long to wait before the next attempt, and the header that asked for it, if one did. */
export interface RetryWait {
  ms: number;
  /** The header as the provider sent it, e.g. "retry-after: 3600"; absent for the SDK's backoff. */
  header?: string;
}

/** The first backoff step and its cap, in seconds: the SDKs' `initialRetryDelay` and `maxRetryDelay`. */
const INITIAL_BACKOFF_SECONDS = 0.5;
const MAX_BACKOFF_SECONDS = 8;

/**
 * Whether the SDKs would retry this failure: every connection failure; a response whose
 * `x-should-retry` header says so; otherwise 408, 409, 429 and any 5xx.
 */
export function shouldRetry(failure: AttemptFailure): boolean {
  if (failure.status === undefined) return true;
  const explicit = failure.headers?.get("x-should-retry");
  if (explicit === "true") return true;
  if (explicit === "false") return false;
  const status = failure.status;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The wait before retry number `retry + 1` (0-based `retry`): the provider's `retry-after-ms`,
 * else its `retry-after` (seconds or an HTTP date), else exponential backoff with up to 25 %
 * jitter. Like `@anthropic-ai/sdk`, a header that asks for no wait or a negative one (a date in
 * the past) falls back to the backoff rather than retrying at once. A wait too long for any timer
 * is returned as asked: it is longer than any budget, so the call fails at once instead.
 */
export function retryWait(
  headers: Headers | undefined,
  retry: number,
  now: number = Date.now(),
  random: () => number = Math.random,
): RetryWait {
  const asked = askedWait(headers, now);
  if (asked !== undefined && asked.ms > 0) return asked;
  const seconds = Math.min(INITIAL_BACKOFF_SECONDS * 2 ** retry, MAX_BACKOFF_SECONDS);
  return { ms: seconds * (1 - random() * 0.25) * 1000 };
}

function askedWait(headers: Headers | undefined, now: number): RetryWait | undefined {
  const milliseconds = headers?.get("retry-after-ms");
  if (milliseconds !== null && milliseconds !== undefined) {
    const ms = Number.parseFloat(milliseconds);
    if (!Number.isNaN(ms) && ms !== 0) return { ms, header: `retry-after-ms: ${milliseconds}` };
  }
  const after = headers?.get("retry-after");
  if (after === null || after === undefined || after === "") return undefined;
  const seconds = Number.parseFloat(after);
  const ms = Number.isNaN(seconds) ? Date.parse(after) - now : seconds * 1000;
  return Number.isNaN(ms) ? undefined : { ms, header: `retry-after: ${after}` };
}
