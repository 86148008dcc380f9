import assert from "node:assert/strict";
import { it } from "node:test";
import type { Db, PendingFilter, PendingRequirementRecord, PendingRequirementRow } from "./db.js";
import { makeRecord, nextRecord } from "./records.test-helper.js";

function requirement(requirementId: string, requirementKind = "confirmation"): PendingRequirementRecord {
  return { requirementId, requirementKind, summary: `Approve ${requirementId}?` };
}

function keys(rows: PendingRequirementRow[]): string[] {
  return rows.map((row) => `${row.kind}:${row.runId}:${row.requirementId}`);
}

/** Reads every page of the inbox, `pageSize` rows at a time, by keyset. */
async function readAllPages(db: Db, filter: PendingFilter, pageSize: number): Promise<PendingRequirementRow[]> {
  const rows: PendingRequirementRow[] = [];
  for (let pages = 0; pages < 1_000; pages += 1) {
    const last = rows.at(-1);
    const page = await db.listPendingRequirements({
      ...filter,
      limit: pageSize,
      ...(last === undefined ? {} : { after: last }),
    });
    rows.push(...page);
    if (page.length < pageSize) return rows;
  }
  throw new Error("pagination did not end");
}

/** The pending-requirement (inbox) part of the conformance suite. */
export function registerPendingConformance(db: () => Db): void {
  it("replaces a run's pending rows on update, keeping the time of those still pending", async () => {
    const first = makeRecord({ updatedAt: 1_000, pending: [requirement("a"), requirement("b")] });
    await db().insertRun(first);
    const second = nextRecord(first, {
      updatedAt: 2_000,
      pending: [requirement("c", "userInput"), { ...requirement("b"), summary: "Changed?" }],
    });
    assert.equal(await db().updateRun(second, 1), true);

    assert.deepEqual((await db().getRun("agent", "run-1"))?.pending, second.pending);
    const rows = await db().listPendingRequirements();
    const run = { kind: "agent", runId: "run-1", sessionId: "session-1", ownerId: "agent-a" };
    assert.deepEqual(rows, [
      { ...run, createdAt: 1_000, requirementId: "b", requirementKind: "confirmation", summary: "Changed?" },
      { ...run, createdAt: 2_000, requirementId: "c", requirementKind: "userInput", summary: "Approve c?" },
    ]);

    const third = nextRecord(second, { updatedAt: 3_000, status: "running", pending: [] });
    assert.equal(await db().updateRun(third, 2), true);
    assert.deepEqual(await db().listPendingRequirements(), []);
    assert.deepEqual((await db().getRun("agent", "run-1"))?.pending, []);
  });

  it("lists the inbox oldest first, filtered by kind, owner, requirement kind and time", async () => {
    await db().insertRun(makeRecord({ runId: "r1", ownerId: "agent-a", updatedAt: 300, pending: [requirement("x")] }));
    await db().insertRun(
      makeRecord({ runId: "r2", ownerId: "agent-b", updatedAt: 100, pending: [requirement("y", "userInput")] }),
    );
    await db().insertRun(
      makeRecord({ kind: "workflow", runId: "r3", ownerId: "wf", updatedAt: 200, pending: [requirement("z")] }),
    );
    await db().insertRun(makeRecord({ runId: "r4", ownerId: "agent-a", status: "completed", updatedAt: 50 }));

    assert.deepEqual(keys(await db().listPendingRequirements()), ["agent:r2:y", "workflow:r3:z", "agent:r1:x"]);
    assert.deepEqual(keys(await db().listPendingRequirements({ kind: "workflow" })), ["workflow:r3:z"]);
    assert.deepEqual(keys(await db().listPendingRequirements({ ownerId: "agent-a" })), ["agent:r1:x"]);
    assert.deepEqual(keys(await db().listPendingRequirements({ requirementKind: "confirmation" })), [
      "workflow:r3:z",
      "agent:r1:x",
    ]);
    assert.deepEqual(keys(await db().listPendingRequirements({ createdBefore: 200 })), ["agent:r2:y", "workflow:r3:z"]);
    assert.deepEqual(keys(await db().listPendingRequirements({ createdBefore: 99 })), []);
    assert.deepEqual(keys(await db().listPendingRequirements({ limit: 1 })), ["agent:r2:y"]);
    const everyFilter = {
      kind: "agent",
      requirementKind: "confirmation",
      ownerId: "agent-a",
      createdBefore: 300,
    } as const;
    assert.deepEqual(keys(await db().listPendingRequirements(everyFilter)), ["agent:r1:x"]);
  });

  it("returns 50 inbox rows by default", async () => {
    await db().insertRun(
      makeRecord({ pending: Array.from({ length: 60 }, (_, index) => requirement(`req-${index}`)) }),
    );
    assert.equal((await db().listPendingRequirements()).length, 50);
  });

  it("pages 120 inbox rows by keyset with no duplicate and no gap", async () => {
    const expected: string[] = [];
    for (let index = 0; index < 40; index += 1) {
      const kind = index < 20 ? "agent" : "workflow";
      const runId = `run-${String(index % 20).padStart(2, "0")}`;
      // Few distinct times, so many rows tie on createdAt and the rest of the key decides.
      const updatedAt = 1_000 + (index % 7);
      const pending = ["c", "a", "b"].map((id) => requirement(`req-${id}`));
      await db().insertRun(makeRecord({ kind, runId, ownerId: `owner-${index % 3}`, updatedAt, pending }));
      expected.push(...pending.map((entry) => `${updatedAt}|${runId}|${entry.requirementId}|${kind}`));
    }
    expected.sort();
    const rows = await readAllPages(db(), {}, 25);
    assert.equal(rows.length, 120);
    assert.equal(new Set(keys(rows)).size, 120);
    assert.deepEqual(
      rows.map((row) => `${row.createdAt}|${row.runId}|${row.requirementId}|${row.kind}`),
      expected,
    );
    const owned = await readAllPages(db(), { ownerId: "owner-1" }, 7);
    assert.deepEqual(keys(owned), keys(rows.filter((row) => row.ownerId === "owner-1")));
    assert.equal(owned.length, 13 * 3);
  });

  it("pages past an agent row and a workflow row that share time, run id and requirement id", async () => {
    for (const kind of ["agent", "workflow"] as const) {
      await db().insertRun(makeRecord({ kind, runId: "same", updatedAt: 5, pending: [requirement("r")] }));
    }
    const rows = await readAllPages(db(), {}, 1);
    assert.deepEqual(keys(rows), ["agent:same:r", "workflow:same:r"]);
  });
}
