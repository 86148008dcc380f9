/**
 * The time-budget tests every provider adapter must pass against its loopback fake, with the
 * official SDK as the client: `timeoutMs` bounds the whole call (every attempt, the waits between
 * retries, the stream), a `retry-after` longer than what is left fails the call at once, a short
 * one is waited for, and the caller's abort stays an abort. Each test takes well under 2 s: the
 * waits it scripts are short, or they are the ones the adapter must refuse to start.
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
  model(settings: { timeoutMs?: number; maxRetries?: number }): Model;
}

/** A regression hangs (the SDK sleeping out an hour): fail the test instead of the whole run. */
const LIMIT = { timeout: 3000 };

const rateLimited = (headers: Record<string, string>): FakeFailureReply => ({
  status: 429,
  message: "Rate limit reached",
  headers,
});

/** Runs `body` and returns how long it took, in milliseconds. */
async function timed(body: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

/** Waits until the fake holds no open request: the adapter aborted the one it gave up on. */
async function assertRequestAborted(fake: BudgetFake): Promise<void> {
  for (let poll = 0; fake.pendingRequests() > 0; poll += 1) {
    assert.ok(poll < 100, "the adapter left the timed-out HTTP request open");
    await sleep(5);
  }
}

/** Registers, in the surrounding `describe`, the time-budget tests every adapter must pass. */
export function itBoundsEveryCall(cases: BudgetCases): void {
  const modelError = modelErrorOf(cases.provider);
  const waited = /Rate limit reached.*Not retried: .*\(retry-after: 3600\).*timeoutMs \(/.source;
  const tooLong = (timeout: RegExp) => modelError(429, new RegExp(waited + timeout.source));

  it("fails at once when a 429's retry-after is longer than timeoutMs, for generate and stream", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after": "3600" }));
    fake.enqueue(rateLimited({ "retry-after": "3600" }));
    // Roomy for a loaded machine; failing well before it shows the adapter did not wait.
    const model = cases.model({ timeoutMs: 2000, maxRetries: 2 });

    const generating = await timed(() => assert.rejects(model.generate(request), tooLong(/2000 ms, retries/)));
    const streaming = await timed(() => assert.rejects(drain(model, request), tooLong(/2000 ms, retries/)));

    // Waiting until the deadline would take 2000 ms; waiting as asked, an hour (the test times out).
    assert.ok(generating < 1500 && streaming < 1500, `took ${generating} and ${streaming} ms`);
    assert.equal(fake.requests.length, 2, "one attempt per call: the hour-long wait was not started");
  });

  it("bounds a call by 10 minutes when timeoutMs is not set, so a retry-after of an hour fails at once", LIMIT, async () => {
    cases.fake().enqueue(rateLimited({ "retry-after": "3600" }));

    const elapsed = await timed(() =>
      assert.rejects(cases.model({}).generate(request), tooLong(/600000 ms, the default/)),
    );

    assert.ok(elapsed < 1500, `took ${elapsed} ms`);
    assert.equal(cases.fake().requests.length, 1);
  });

  it("waits out a retry-after that fits in timeoutMs, then succeeds", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after": "1" }));
    fake.enqueue({ text: "Recovered." });

    let text = "";
    const elapsed = await timed(async () => {
      text = (await cases.model({ timeoutMs: 3000 }).generate(request)).text;
    });

    assert.equal(text, "Recovered.");
    assert.equal(fake.requests.length, 2);
    assert.ok(elapsed >= 990 && elapsed < 2000, `waited ${elapsed} ms for a retry-after of 1 s`);
  });

  it("retries a stream after a 429 with a short retry-after-ms", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after-ms": "200" }));
    fake.enqueue({ text: "Streamed after a retry." });

    let deltas: string[] = [];
    const elapsed = await timed(async () => {
      deltas = deltasOf(await collect(cases.model({ timeoutMs: 2000 }).stream(request)));
    });

    assert.equal(deltas.join(""), "Streamed after a retry.");
    assert.equal(fake.requests.length, 2);
    assert.ok(elapsed >= 195 && elapsed < 1000, `waited ${elapsed} ms for a retry-after-ms of 200`);
  });

  it("bounds the whole call, retries included, and aborts the request in flight", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after-ms": "400" }));
    fake.enqueue({ hang: true });

    const elapsed = await timed(() =>
      assert.rejects(
        cases.model({ timeoutMs: 1000 }).generate(request),
        modelError(
          undefined,
          /took longer than timeoutMs \(1000 ms\).*including retries.*\(2 attempts\).*raise timeoutMs, or lower maxRetries/,
        ),
      ),
    );

    // A bound on each attempt alone would have let the second one run until 1400 ms or later.
    assert.ok(elapsed >= 990 && elapsed < 1300, `failed after ${elapsed} ms`);
    assert.equal(fake.requests.length, 2);
    await assertRequestAborted(fake);
  });

  it("bounds stream(): a stream that stops sending fails at the deadline", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue({ text: "A long answer that never finishes", streamEnd: "hang" });
    const deltas: string[] = [];

    const elapsed = await timed(() =>
      assert.rejects(async () => {
        for await (const event of cases.model({ timeoutMs: 600 }).stream(request)) {
          if (event.type === "text-delta") deltas.push(event.delta);
        }
      }, modelError(undefined, /took longer than timeoutMs \(600 ms\)/)),
    );

    assert.ok(deltas.length >= 1, "the text before the stall still arrived");
    assert.ok(elapsed >= 590 && elapsed < 1300, `failed after ${elapsed} ms`);
    await assertRequestAborted(fake);
  });

  it("reports the caller's abort during a retry wait as an abort, at once", LIMIT, async () => {
    const fake = cases.fake();
    fake.enqueue(rateLimited({ "retry-after": "5" }));
    const controller = new AbortController();
    const pending = cases.model({ timeoutMs: 10_000 }).generate({ ...request, signal: controller.signal });

    const elapsed = await timed(async () => {
      while (fake.requests.length === 0) await sleep(5);
      await sleep(50); // the 429 reaches the adapter, which starts its 5 s wait
      controller.abort();
      await assert.rejects(pending, isAbortError);
    });

    assert.ok(elapsed < 1000, `the abort took ${elapsed} ms to land`);
    assert.equal(fake.requests.length, 1, "the retry never started");
  });
}
