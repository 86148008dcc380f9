import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigurationError } from "../errors.js";
import { Claude } from "./anthropic/claude.js";
import {
  budgetSettings,
  CallBudget,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type ModelClock,
  REAL_CLOCK,
  RetryWaitTooLong,
} from "./call-budget.js";
import { FakeClock } from "./fake-clock.test-helper.js";
import { OpenAIChat } from "./openai/chat.js";
import { OpenAIResponses } from "./openai/responses.js";
import type { AttemptFailure } from "./retry-policy.js";

/** A failed attempt as an SDK error would describe it. */
class FakeAttemptError extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(`attempt failed with ${String(failure.status)}`);
  }
}
const failureOf = (error: unknown): AttemptFailure | undefined =>
  error instanceof FakeAttemptError ? error.failure : undefined;
const failing = (status: number | undefined, headers: Record<string, string> = {}): FakeAttemptError =>
  new FakeAttemptError({ status, headers: new Headers(headers) });

/** An attempt function that throws the scripted errors in order, then returns "done". */
function scripted(errors: Error[]): { attempt: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    attempt: async () => {
      const error = errors[calls];
      calls += 1;
      if (error !== undefined) throw error;
      return "done";
    },
    calls: () => calls,
  };
}

describe("call budget", () => {
  it("defaults to 10 minutes for the whole call and 2 retries", () => {
    assert.deepEqual(budgetSettings("Test", {}), {
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxRetries: DEFAULT_MAX_RETRIES,
      defaultTimeout: true,
      clock: REAL_CLOCK,
    });
    assert.equal(DEFAULT_TIMEOUT_MS, 600_000);
    assert.deepEqual(budgetSettings("Test", { timeoutMs: 300, maxRetries: 0 }), {
      timeoutMs: 300,
      clock: REAL_CLOCK,
      maxRetries: 0,
      defaultTimeout: false,
    });
  });

  it("refuses a timeoutMs or maxRetries no timer or loop can honour, in every adapter's constructor", () => {
    const adapters = [
      (settings: { timeoutMs?: number; maxRetries?: number; clock?: ModelClock }) =>
        new OpenAIResponses({ id: "m", ...settings }),
      (settings: { timeoutMs?: number; maxRetries?: number; clock?: ModelClock }) =>
        new OpenAIChat({ id: "m", ...settings }),
      (settings: { timeoutMs?: number; maxRetries?: number; clock?: ModelClock }) =>
        new Claude({ id: "m", ...settings }),
    ];
    for (const build of adapters) {
      for (const timeoutMs of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
        assert.throws(() => build({ timeoutMs }), ConfigurationError, `timeoutMs ${timeoutMs}`);
      }
      for (const maxRetries of [-1, 0.5, Number.POSITIVE_INFINITY]) {
        assert.throws(() => build({ maxRetries }), /maxRetries must be a whole number/);
      }
      const notAClock = { now: () => 0 } as unknown as ModelClock;
      assert.throws(
        () => build({ clock: notAClock }),
        /clock must have now\(\), schedule\(ms, fire\) and sleep\(ms, signal\)/,
      );
    }
  });

  it("retries what the rules retry, up to maxRetries, and throws the last error", async () => {
    const clock = new FakeClock();
    const budget = new CallBudget(
      { timeoutMs: 1000, maxRetries: 2, defaultTimeout: false, clock },
      undefined,
      failureOf,
    );
    const quick = { "retry-after-ms": "1" };
    const third = failing(503, quick);
    const script = scripted([failing(429, quick), failing(500, quick), third, failing(500)]);

    const running = budget.run(script.attempt);
    for (const retry of [1, 2]) {
      assert.equal(await clock.sleeping(), 1, `retry ${retry} waits as retry-after-ms asks`);
      clock.advance(1);
    }
    await assert.rejects(running, (error) => error === third);
    assert.deepEqual(clock.sleeps, [1, 1], "no wait after the last attempt");
    budget.end();
    assert.equal(script.calls(), 3);
    assert.equal(budget.attempts, 3);
  });

  it("does not retry a failure the rules refuse, nor one it cannot describe", async () => {
    const budget = new CallBudget(
      { timeoutMs: 1000, maxRetries: 2, defaultTimeout: false, clock: new FakeClock() },
      undefined,
      failureOf,
    );
    const refused = scripted([failing(400)]);
    const unknown = scripted([new TypeError("a bug")]);

    await assert.rejects(budget.run(refused.attempt), FakeAttemptError);
    await assert.rejects(budget.run(unknown.attempt), TypeError);
    budget.end();
    assert.equal(refused.calls() + unknown.calls(), 2);
  });

  it("throws RetryWaitTooLong instead of starting a wait longer than what is left", async () => {
    const clock = new FakeClock();
    const budget = new CallBudget(
      { timeoutMs: 1000, maxRetries: 2, defaultTimeout: false, clock },
      undefined,
      failureOf,
    );
    const cause = failing(429, { "retry-after": "2" });
    clock.advance(100);

    await assert.rejects(budget.run(scripted([cause]).attempt), (error: unknown) => {
      assert.ok(error instanceof RetryWaitTooLong);
      assert.equal(error.cause, cause);
      assert.deepEqual(error.wait, { ms: 2000, header: "retry-after: 2" });
      assert.equal(error.remainingMs, 900);
      return true;
    });
    budget.end();
    assert.equal(budget.expired, false);
  });

  it("without settings (a client the user built) runs one attempt with the caller's signal and no deadline", async () => {
    const controller = new AbortController();
    const budget = new CallBudget(undefined, controller.signal, failureOf);
    let seen: AbortSignal | undefined;
    const script = scripted([failing(429, { "retry-after-ms": "1" })]);

    await assert.rejects(
      budget.run(async (signal) => {
        seen = signal;
        return script.attempt();
      }),
      FakeAttemptError,
    );
    budget.end();
    assert.equal(seen, controller.signal);
    assert.equal(script.calls(), 1);
    assert.equal(budget.remainingMs(), Number.POSITIVE_INFINITY);
  });
});
