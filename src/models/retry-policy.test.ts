import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { retryWait, shouldRetry } from "./retry-policy.js";

const headers = (entries: Record<string, string>): Headers => new Headers(entries);
/** Math.random stand-ins: no jitter, and the most jitter (25 % off). */
const noJitter = (): number => 0;
const fullJitter = (): number => 1;

describe("retry policy (the SDKs' rules)", () => {
  it("retries failed connections, 408, 409, 429 and 5xx, and nothing else unless x-should-retry says so", () => {
    const retried = [undefined, 408, 409, 429, 500, 503, 529].map((status) =>
      shouldRetry({ status, headers: headers({}) }),
    );
    const refused = [400, 401, 403, 404, 413, 422].map((status) => shouldRetry({ status, headers: headers({}) }));

    assert.deepEqual(retried, [true, true, true, true, true, true, true]);
    assert.deepEqual(refused, [false, false, false, false, false, false]);
    assert.equal(shouldRetry({ status: 400, headers: headers({ "x-should-retry": "true" }) }), true);
    assert.equal(shouldRetry({ status: 429, headers: headers({ "x-should-retry": "false" }) }), false);
  });

  it("waits as retry-after-ms, then retry-after in seconds or as a date, asks", () => {
    const now = Date.parse("2026-12-02T10:00:00Z");

    assert.deepEqual(retryWait(headers({ "retry-after-ms": "250", "retry-after": "9" }), 0, now), {
      ms: 250,
      header: "retry-after-ms: 250",
    });
    assert.deepEqual(retryWait(headers({ "retry-after": "3600" }), 0, now), {
      ms: 3_600_000,
      header: "retry-after: 3600",
    });
    assert.deepEqual(retryWait(headers({ "retry-after": "1.5" }), 0, now), { ms: 1500, header: "retry-after: 1.5" });
    const date = "Wed, 02 Dec 2026 10:00:30 GMT";
    assert.deepEqual(retryWait(headers({ "retry-after": date }), 0, now), {
      ms: 30_000,
      header: `retry-after: ${date}`,
    });
  });

  it("backs off exponentially, capped at 8 s with up to 25 % jitter, when no usable header asks for a wait", () => {
    const now = Date.parse("2026-12-02T10:00:00Z");
    const backoff = (retry: number, random: () => number, from = headers({})): number =>
      retryWait(from, retry, now, random).ms;

    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((retry) => backoff(retry, noJitter)),
      [500, 1000, 2000, 4000, 8000, 8000],
    );
    assert.equal(backoff(0, fullJitter), 375);
    assert.equal(backoff(0, noJitter, headers({ "retry-after": "0" })), 500, "a wait of 0 falls back to backoff");
    assert.equal(
      backoff(0, noJitter, headers({ "retry-after": "Wed, 02 Dec 2026 09:00:00 GMT" })),
      500,
      "a past date too",
    );
    assert.equal(backoff(1, noJitter, headers({ "retry-after": "soon" })), 1000, "and a header that does not parse");
    assert.equal(retryWait(headers({}), 0, now, noJitter).header, undefined);
  });

  it("returns a wait longer than any timer as asked, so the budget refuses it instead of backing off", () => {
    assert.equal(retryWait(headers({ "retry-after": "99999999" }), 0).ms, 99_999_999_000);
  });
});
