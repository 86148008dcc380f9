import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { RunRecord } from "../db/index.js";
import { SqliteDb } from "../db/sqlite/index.js";
import { ConfigurationError } from "../errors.js";
import { dispatchWebhooks, verifyWebhookSignature, type WebhookPayload } from "./index.js";
import { eventually, type Received, startReceiver } from "./receiver.test-helper.js";
import { signWebhook } from "./signature.js";

const SECRET = "a-webhook-secret-of-32-bytes-or-more!";
const FAST = { intervalMs: 10, backoff: { initialMs: 20, maxMs: 40 }, log: () => {} };
const directory = mkdtempSync(join(tmpdir(), "kern-webhooks-"));
after(() => rmSync(directory, { recursive: true, force: true }));

function pausedRun(runId: string): RunRecord {
  return {
    kind: "workflow",
    runId,
    sessionId: "session-1",
    userId: null,
    ownerId: "payables",
    status: "paused",
    revision: 1,
    createdAt: 1_000,
    updatedAt: 1_000,
    leaseExpiresAt: null,
    state: "{}",
    pending: [{ requirementId: "req-1", requirementKind: "confirmation", summary: "Pay INV-7?" }],
  };
}

function payload(request: Received): WebhookPayload {
  return JSON.parse(request.body) as WebhookPayload;
}

/** The keys the receiver took (answered 2xx), each as often as it took it. */
function taken(received: Received[]): string[] {
  return received
    .filter((request) => request.status < 300)
    .map((request) => String(request.headers["idempotency-key"]));
}

describe("webhook signatures", () => {
  it("verifies with the exported helper, and refuses a changed body, another secret or an old timestamp", () => {
    const body = '{"type":"requirement.paused"}';
    const now = Date.now();
    const header = signWebhook(SECRET, body, Math.floor(now / 1000));
    assert.equal(verifyWebhookSignature(SECRET, header, body, 300, now), true);
    assert.equal(verifyWebhookSignature(SECRET, header, `${body} `, 300, now), false);
    assert.equal(verifyWebhookSignature(`${SECRET}x`, header, body, 300, now), false);
    assert.equal(verifyWebhookSignature(SECRET, header, body, 300, now + 301_000), false);
    assert.equal(verifyWebhookSignature(SECRET, null, body), false);
    assert.equal(verifyWebhookSignature(SECRET, "t=1,v1=zz", body), false);
  });

  it("refuses a short secret, a non-http url and two webhooks of one name at construction", () => {
    const db = new SqliteDb({ dbFile: join(directory, "config.db") });
    assert.throws(
      () => dispatchWebhooks({ db, webhooks: [{ url: "http://127.0.0.1/", secret: "short" }] }),
      ConfigurationError,
    );
    assert.throws(() => dispatchWebhooks({ db, webhooks: [{ url: "ftp://x/", secret: SECRET }] }), ConfigurationError);
    const twice = { url: "http://127.0.0.1/", secret: SECRET };
    assert.throws(() => dispatchWebhooks({ db, webhooks: [twice, twice] }), ConfigurationError);
  });
});

describe("dispatchWebhooks", () => {
  it("retries a receiver that fails twice and delivers on the third try, once, with one idempotency key", async () => {
    const receiver = await startReceiver([500, 500]);
    const db = new SqliteDb({ dbFile: join(directory, "retry.db") });
    await db.insertRun(pausedRun("run-1"));
    const dispatcher = dispatchWebhooks({ ...FAST, db, webhooks: [{ url: receiver.url, secret: SECRET }] });
    try {
      await receiver.waitFor(3);
      await eventually(async () => (await db.listOutbox({ undelivered: true })).length === 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(
        receiver.received.map((request) => [request.status, request.headers["kern-delivery-attempt"]]),
        [
          [500, "1"],
          [500, "2"],
          [200, "3"],
        ],
      );
      const keys = new Set(receiver.received.map((request) => request.headers["idempotency-key"]));
      assert.deepEqual([...keys], ["workflow:run-1:req-1:requirement.paused"]);
      for (const request of receiver.received) {
        assert.equal(verifyWebhookSignature(SECRET, String(request.headers["kern-signature"]), request.body, 60), true);
      }
      const event = payload(receiver.received[2] as Received);
      assert.deepEqual(
        { ...event, createdAt: undefined },
        {
          id: "workflow:run-1:req-1:requirement.paused",
          type: "requirement.paused",
          createdAt: undefined,
          run: { kind: "workflow", id: "run-1", sessionId: "session-1", ownerId: "payables" },
          requirementId: "req-1",
          data: { requirementKind: "confirmation", summary: "Pay INV-7?" },
          attempt: 3,
          decisionLink: null,
        },
      );
      const [entry] = await db.listOutbox();
      assert.deepEqual([entry?.attempts, entry?.deliveredTo, entry?.lastError], [3, [receiver.url], null]);
    } finally {
      await dispatcher.stop();
      await db.close();
      await receiver.close();
    }
  });

  it("loses nothing and duplicates nothing across a restart on the same SQLite file", async () => {
    const receiver = await startReceiver([503]);
    const dbFile = join(directory, "restart.db");
    const first = new SqliteDb({ dbFile });
    await first.insertRun(pausedRun("run-1"));
    const webhooks = [{ url: receiver.url, secret: SECRET }];
    const before = dispatchWebhooks({ ...FAST, backoff: { initialMs: 60_000 }, db: first, webhooks });
    await receiver.waitFor(1);
    await before.stop();
    // While no dispatcher runs: the run is decided and another pauses.
    const decision = {
      kind: "workflow" as const,
      runId: "run-1",
      seq: 1,
      requirementId: "req-1",
      gateKind: "confirmation",
      decision: '{"type":"confirm"}',
      actorId: "fred",
      actorRoles: ["finance"],
      automatic: false,
      decidedAt: 2_000,
      shownDigest: "d".repeat(64),
      linkId: null,
      prevHash: null,
      hash: "h".repeat(64),
    };
    const decided = { ...pausedRun("run-1"), status: "completed" as const, revision: 2, updatedAt: 2_000, pending: [] };
    assert.equal(await first.writeRuns([{ record: decided, expectedRevision: 1, decisions: [decision] }]), true);
    await first.insertRun(pausedRun("run-2"));
    await first.close();

    const second = new SqliteDb({ dbFile });
    // The failed event waits for its backoff: move it due now, as time passing would.
    const restarted = dispatchWebhooks({ ...FAST, db: second, webhooks, now: () => Date.now() + 120_000 });
    const third = dispatchWebhooks({
      ...FAST,
      db: new SqliteDb({ dbFile }),
      webhooks,
      now: () => Date.now() + 120_000,
    });
    try {
      await eventually(async () => (await second.listOutbox({ undelivered: true })).length === 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(taken(receiver.received).sort(), [
        "workflow:run-1:req-1:requirement.decided",
        "workflow:run-1:req-1:requirement.paused",
        "workflow:run-2:req-1:requirement.paused",
      ]);
      assert.equal(receiver.received.length, 4);
      const decidedEvent = receiver.received.map(payload).find((event) => event.type === "requirement.decided");
      assert.equal(decidedEvent?.data["actorId"], "fred");
      assert.deepEqual(decidedEvent?.data["decision"], { type: "confirm" });
    } finally {
      await restarted.stop();
      await third.stop();
      await second.close();
      await receiver.close();
    }
  });

  it("two dispatchers on one file deliver each of 20 events once", async () => {
    const receiver = await startReceiver();
    const dbFile = join(directory, "race.db");
    const db = new SqliteDb({ dbFile });
    for (let index = 0; index < 20; index += 1) await db.insertRun(pausedRun(`run-${index}`));
    const webhooks = [{ url: receiver.url, secret: SECRET }];
    const other = new SqliteDb({ dbFile });
    const dispatchers = [
      dispatchWebhooks({ ...FAST, batchSize: 3, db, webhooks }),
      dispatchWebhooks({ ...FAST, batchSize: 3, db: other, webhooks }),
    ];
    try {
      await eventually(async () => (await db.listOutbox({ undelivered: true })).length === 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const keys = taken(receiver.received);
      assert.equal(keys.length, 20);
      assert.equal(new Set(keys).size, 20);
    } finally {
      await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
      await db.close();
      await other.close();
      await receiver.close();
    }
  });
});
