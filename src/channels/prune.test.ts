import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunRecord } from "../db/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { makeRecord } from "../db/records.test-helper.js";
import { type Channel, startDispatcher } from "./index.js";

const HOUR = 3_600_000;

function paused(runId: string): RunRecord {
  const pending = [{ requirementId: "req-1", requirementKind: "confirmation", summary: "Pay INV-7?" }];
  return makeRecord({ kind: "workflow", runId, ownerId: "payables", pending });
}

const sink: Channel = { name: "sink", deliver: () => Promise.resolve() };

describe("the dispatcher prunes delivered events", () => {
  it("after retainDeliveredMs, keeping the pause of a run still paused, and never with null", async () => {
    for (const retainDeliveredMs of [24 * HOUR, null]) {
      const db = new InMemoryDb();
      let clock = 10_000;
      const dispatcher = startDispatcher({
        db,
        channels: [sink],
        intervalMs: 60_000,
        retainDeliveredMs,
        now: () => clock,
        log: () => {},
      });
      await dispatcher.stop();
      await db.insertRun(paused("still-paused"));
      const done = paused("done");
      await db.insertRun(done);
      await db.updateRun({ ...done, revision: 2, status: "completed", pending: [], updatedAt: 2_000 }, 1);
      assert.deepEqual(await dispatcher.runOnce(), { delivered: 2, retried: 0 });
      clock += 25 * HOUR;
      await dispatcher.runOnce();
      const left = (await db.listOutbox()).map((entry) => entry.runId);
      assert.deepEqual(left, retainDeliveredMs === null ? ["done", "still-paused"] : ["still-paused"]);
    }
  });

  it("refuses a retention that is not a whole number of milliseconds", () => {
    assert.throws(() => startDispatcher({ db: new InMemoryDb(), channels: [sink], retainDeliveredMs: -1 }), {
      name: "ConfigurationError",
    });
  });
});
