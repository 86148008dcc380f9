/**
 * The time-budget tests every provider adapter must pass against its loopback fake, with the
 * official SDK as the client: `timeoutMs` bounds the whole call (every attempt, the waits between
 * retries, the stream), a `retry-after` longer than what is left fails the call at once, a short
 * one is waited for, and the caller's abort stays an abort. Time is a {@link FakeClock} the test
 * advances, so no assertion depends on how fast the machine is.
 *
 * @example
 * ```ts
 * describe("Claude time budget", () => {
 *   let fake: FakeMessagesServer;
 *   beforeEach(async () => { fake = await startFakeMessagesServer(); });
 *   afterEach(async () => { await fake.close(); });
 *   itBoundsEveryCall({
 *     provider: "anthropic",
 *     fake: () => fake,
 *     model: (settings) => new Claude({ id: "claude-test", baseURL: fake.baseURL, apiKey: "k", ...settings }),
 *   });
 * });
 * ```
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  collect,
  deltasOf,
  drain,
  isAbortError,
  modelErrorOf,
  statusRequest as request,
} from "./adapter-wire.test-helper.js";
import type { ModelClock } from "./call-budget.js";
import { FakeClock } from "./fake-clock.test-helper.js";
import type { FakeFailureReply, FakeRequest } from "./fake-http-server.test-helper.js";
import type { Model } from "./model.js";

/** What the budget tests need of a provider's fake: every fake accepts these replies. */
export interface BudgetFake {
  requests: FakeRequest[];
  enqueue(reply: FakeFailureReply | { text: string; streamEnd?: "completed" | "hang" }): void;
  pendingRequests(): number;
}

/** One provider's side of {@link itBoundsEveryCall}. */
export interface BudgetCases {
  /** The `provider` every ModelError must name, e.g. "openai". */
  provider: string;
  /** The fake the surrounding `describe` started in its `beforeEach`. */
  fake(): BudgetFake;
  /** The adapter under test, pointed at the fake; `settings` leave out what the test leaves to defaults. */
  model(settings: { timeoutMs?: number; maxRetries?: number; clock?: ModelClock }): Model;
}

/** A regression hangs (the SDK sleeping out an hour, a deadline never firing): fail the test, not the run. */
const LIMIT = { timeout: 10_000 };

const rateLimited = (headers: Record<string, string>): FakeFailureReply => ({
  status: 429,
  message: "Rate limit reached",
  headers,
});

/** Tracks whether `promise` settled yet, without letting a rejection go unhandled. */
function track(promise: Promise<unknown>): { settled: boolean } {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** Gives a call that should stay pending time to show it does not (a negative check). */
async function stillPending(state: { settled: boolean }, why: string): Promise<void> {
  await sleep(30);
  assert.equal(state.settled, false, why);
}

/** Waits until the fake received `count` requests. */
async function requestsReached(fake: BudgetFake, count: number): Promise<void> {
  for (let poll = 0; fake.requests.length < count; poll += 1) {
    assert.ok(poll < 400, `the adapter sent ${fake.requests.length} of ${count} requests`);
    await sleep(5);
  }
}

/** Waits until the fake holds no open request: the adapter aborted the one it gave up on. */
async function assertRequestAborted(fake: BudgetFake): Promise<void> {
  for (let poll = 0; fake.pendingRequests() > 0; poll += 1) {
    assert.ok(poll < 100, "the adapter left the timed-out HTTP request open");
    await sleep(5);
  }
}

/**
 * Registers, in the surrounding `describe`, the time-budget tests every adapter must pass. Time
 * is a {@link FakeClock}: the deadline and the retry waits fire when the test advances it.
 * `timeoutMs` is long in real time (the SDK's own request timeout is the same number and runs on
 * real timers), so only the budget's deadline can end a call here.
 */
export function itBoundsEveryCall(cases: BudgetCases): void {
  const modelError = modelErrorOf(cases.provider);
  const waited = /Rate limit reached.*Not retried: .*\(retry-after: 3600\).*timeoutMs \(/.source;
  const tooLong = (timeout: RegExp) => modelError(429, new RegExp(waited + timeout.source));

  it("fails at once when a 429's retry-after is longer than timeoutMs, for generate and stream", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after": "3600" }));
    fake.enqueue(rateLimited({ "retry-after": "3600" }));
    const clock = new FakeClock();
    const model = cases.model({ timeoutMs: 2000, maxRetries: 2, clock });

    await assert.rejects(model.generate(request), tooLong(/2000 ms, retries/));
    await assert.rejects(drain(model, request), tooLong(/2000 ms, retries/));

    assert.deepEqual(clock.sleeps, [], "no wait was started");
    assert.equal(fake.requests.length, 2, "one attempt per call: the hour-long wait was not started");
  });

  it(
    "bounds a call by 10 minutes when timeoutMs is not set, so a retry-after of an hour fails at once",
    LIMIT,
    async () => {
      cases.fake().enqueue(rateLimited({ "retry-after": "3600" }));
      const clock = new FakeClock();

      await assert.rejects(cases.model({ clock }).generate(request), tooLong(/600000 ms, the default/));

      assert.deepEqual(clock.sleeps, []);
      assert.equal(cases.fake().requests.length, 1);
    },
  );

  it("waits out a retry-after that fits in timeoutMs, then succeeds", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after": "1" }));
    fake.enqueue({ text: "Recovered." });
    const clock = new FakeClock();
    const pending = cases.model({ timeoutMs: 60_000, clock }).generate(request);

    assert.equal(await clock.sleeping(), 1000, "the adapter waits as long as retry-after asks");
    await stillPending(track(pending), "no retry before the wait is over");
    assert.equal(fake.requests.length, 1);
    clock.advance(1000);

    assert.equal((await pending).text, "Recovered.");
    assert.equal(fake.requests.length, 2);
  });

  it("retries a stream after a 429 with a short retry-after-ms", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after-ms": "200" }));
    fake.enqueue({ text: "Streamed after a retry." });
    const clock = new FakeClock();
    const pending = collect(cases.model({ timeoutMs: 60_000, clock }).stream(request));

    assert.equal(await clock.sleeping(), 200);
    assert.equal(fake.requests.length, 1);
    clock.advance(200);

    assert.equal(deltasOf(await pending).join(""), "Streamed after a retry.");
    assert.equal(fake.requests.length, 2);
  });

  it("bounds the whole call, retries included, and aborts the request in flight", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after-ms": "400" }));
    fake.enqueue({ hang: true });
    const clock = new FakeClock();
    const pending = cases.model({ timeoutMs: 60_000, clock }).generate(request);
    const state = track(pending);

    assert.equal(await clock.sleeping(), 400);
    clock.advance(400);
    await requestsReached(fake, 2);
    // A bound on each attempt alone would let the second one run until 60 400 ms.
    clock.advance(59_599);
    await stillPending(state, "the budget is not over yet");
    clock.advance(1);

    await assert.rejects(
      pending,
      modelError(
        undefined,
        /took longer than timeoutMs \(60000 ms\).*including retries.*\(2 attempts\).*raise timeoutMs, or lower maxRetries/,
      ),
    );
    assert.equal(fake.requests.length, 2);
    await assertRequestAborted(fake);
  });

  it("bounds stream(): a stream that stops sending fails at the deadline", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue({ text: "A long answer that never finishes", streamEnd: "hang" });
    const clock = new FakeClock();
    const deltas: string[] = [];
    const reading = (async () => {
      for await (const event of cases.model({ timeoutMs: 60_000, clock }).stream(request)) {
        if (event.type === "text-delta") deltas.push(event.delta);
      }
    })();
    const state = track(reading);

    for (let poll = 0; deltas.length === 0; poll += 1) {
      assert.ok(poll < 400, "no text arrived before the stall");
      await sleep(5);
    }
    clock.advance(59_999);
    await stillPending(state, "the budget is not over yet");
    clock.advance(1);

    await assert.rejects(reading, modelError(undefined, /took longer than timeoutMs \(60000 ms\)/));
    await assertRequestAborted(fake);
  });

  it("reports the caller's abort during a retry wait as an abort, at once", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after": "5" }));
    const controller = new AbortController();
    const clock = new FakeClock();
    const pending = cases.model({ timeoutMs: 60_000, clock }).generate({ ...request, signal: controller.signal });

    assert.equal(await clock.sleeping(), 5000, "the adapter started its 5 s wait");
    controller.abort();

    await assert.rejects(pending, isAbortError);
    assert.equal(clock.now(), 0, "no time passed: the abort ended the wait");
    assert.equal(fake.requests.length, 1, "the retry never started");
  });
}
