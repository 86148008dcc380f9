import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { agentRunAccess } from "../agent/agent-run-access.js";
import type { RunKind } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { StoreError } from "../errors.js";
import { AGENT_RUN_SCHEMA_VERSION, type AgentRunState } from "./agent-run-state.js";
import { Claim } from "./claim.js";
import { compareAndSave, loadRun } from "./run-record.js";
import { AGENT_RUN_DEFAULTS } from "./shapes.js";

function newRun(runId: string): AgentRunState {
  return {
    ...structuredClone(AGENT_RUN_DEFAULTS),
    schemaVersion: AGENT_RUN_SCHEMA_VERSION,
    kind: "agent",
    runId,
    sessionId: "s",
    agentId: "a",
    agentName: "a",
    status: "running",
    messages: [{ role: "user", content: "hi" }],
    turns: 0,
    createdAt: 1,
    updatedAt: 1,
  };
}

/** A store whose renewals are stored but never answered, like a COMMIT whose reply was lost. */
class UnansweredRenewals extends InMemoryDb {
  override async renewLease(
    kind: RunKind,
    runId: string,
    expectedRevision: number,
    leaseExpiresAt: number,
  ): Promise<boolean> {
    await super.renewLease(kind, runId, expectedRevision, leaseExpiresAt);
    throw new StoreError("no answer");
  }
}

/** Polls the stored run until `done` holds: renewals are timers, and a loaded machine delays them. */
async function storedUntil(db: InMemoryDb, runId: string, done: (revision: number) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done((await db.getRun("agent", runId))?.revision ?? 0)) {
    assert.ok(Date.now() < deadline, `run ${runId} was not renewed within 10 s`);
    await sleep(10);
  }
}

describe("a claim on a running run", () => {
  it("renews its lease while held, and stops once released", async () => {
    const db = new InMemoryDb();
    const claim = await Claim.insert(db, agentRunAccess, newRun("r1"), 60);
    const first = await db.getRun("agent", "r1");
    await storedUntil(db, "r1", (revision) => revision >= 3);
    const renewed = await db.getRun("agent", "r1");
    assert.ok((renewed?.leaseExpiresAt ?? 0) > (first?.leaseExpiresAt ?? 0));
    claim.state.status = "completed";
    await claim.release();
    const released = await db.getRun("agent", "r1");
    await sleep(100);
    assert.deepEqual(await db.getRun("agent", "r1"), released, "no renewal after the release");
    assert.equal(released?.leaseExpiresAt, null);
  });

  it("refuses every write once another process took the run over, and aborts its signal", async () => {
    const db = new InMemoryDb();
    const claim = await Claim.insert(db, agentRunAccess, newRun("r2"), 60_000);
    const other = await loadRun(db, agentRunAccess, "r2", "s");
    other.state.status = "paused";
    assert.equal(await compareAndSave(db, agentRunAccess, other.state, other.revision), true);
    await assert.rejects(claim.checkpoint(), { name: "ClaimLostError", message: /lost its claim on agent run 'r2'/ });
    assert.equal(claim.signal.aborted, true);
    await assert.rejects(claim.release(), { name: "ClaimLostError" });
    assert.equal((await db.getRun("agent", "r2"))?.status, "paused", "the other process's write stands");
  });

  it("adopts a renewal the store stored but never answered, so its next write still holds", async () => {
    const db = new UnansweredRenewals();
    const claim = await Claim.insert(db, agentRunAccess, newRun("r3"), 60);
    await storedUntil(db, "r3", (revision) => revision >= 2);
    claim.markDirty();
    await claim.flush();
    claim.state.status = "completed";
    await claim.release();
    assert.equal((await db.getRun("agent", "r3"))?.status, "completed");
  });
});
