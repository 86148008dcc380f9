import assert from "node:assert/strict";
import { it } from "node:test";
import { StoreError } from "../errors.js";
import type { Db, DecisionFilter, DecisionRecord, RunKind } from "./db.js";
import { makeDecision, makeRecord } from "./records.test-helper.js";

function keys(entries: DecisionRecord[]): string[] {
  return entries.map((entry) => `${entry.decidedAt}:${entry.kind}:${entry.runId}:${entry.seq}`);
}

/** Reads every page of the decisions table, `pageSize` entries at a time, by keyset. */
async function readAllPages(db: Db, filter: DecisionFilter, pageSize: number): Promise<DecisionRecord[]> {
  const entries: DecisionRecord[] = [];
  for (let pages = 0; pages < 2_000; pages += 1) {
    const last = entries.at(-1);
    const page = await db.listDecisions({ ...filter, limit: pageSize, ...(last === undefined ? {} : { after: last }) });
    entries.push(...page);
    if (page.length < pageSize) return entries;
  }
  throw new Error("pagination did not end");
}

/** Stores each run with its entries, one writeRuns() per run, in the order given. */
async function seed(db: Db, entries: DecisionRecord[]): Promise<void> {
  const runs = new Map<string, { kind: RunKind; runId: string; entries: DecisionRecord[] }>();
  for (const entry of entries) {
    const key = JSON.stringify([entry.kind, entry.runId]);
    const run = runs.get(key) ?? { kind: entry.kind, runId: entry.runId, entries: [] };
    run.entries.push(entry);
    runs.set(key, run);
  }
  for (const { kind, runId, entries: decisions } of runs.values()) {
    const record = makeRecord({ kind, runId, ownerId: kind === "agent" ? "agent-a" : "wf" });
    assert.equal(await db.writeRuns([{ record, expectedRevision: null, decisions }]), true);
  }
}

/**
 * Entries in the listing order, by hand: decidedAt, then kind, then run id as UTF-8 bytes (so
 * "x\uFF5E" sorts before "x😀", unlike JavaScript's `<`), then seq as a number (2 before 10).
 */
const ORDERED: DecisionRecord[] = [
  makeDecision({ decidedAt: 100, kind: "agent", runId: "b", seq: 1, actorId: "ana" }),
  makeDecision({ decidedAt: 200, kind: "agent", runId: "a", seq: 1, actorId: "bo" }),
  makeDecision({ decidedAt: 200, kind: "agent", runId: "a", seq: 2, actorId: "ana" }),
  makeDecision({ decidedAt: 200, kind: "agent", runId: "a", seq: 10, actorId: "ana" }),
  makeDecision({ decidedAt: 200, kind: "agent", runId: "b", seq: 2, actorId: "bo" }),
  makeDecision({ decidedAt: 200, kind: "agent", runId: "x\uFF5E", seq: 1, actorId: "ana" }),
  makeDecision({ decidedAt: 200, kind: "agent", runId: "x😀", seq: 1, actorId: "kern:code", automatic: true }),
  makeDecision({ decidedAt: 200, kind: "workflow", runId: "a", seq: 1, actorId: "bo", gateKind: "route" }),
  makeDecision({ decidedAt: 200, kind: "workflow", runId: "b", seq: 1, actorId: "ana" }),
  makeDecision({ decidedAt: 300, kind: "agent", runId: "a", seq: 3, actorId: "bo" }),
  makeDecision({ decidedAt: 300, kind: "workflow", runId: "a", seq: 2, actorId: "ana" }),
];

/** listDecisions(): filters, order, keyset paging and limits. */
export function registerDecisionListConformance(db: () => Db): void {
  it("lists entries oldest first, ties broken by kind, run id and seq, filtered by run, kind, actor and since", async () => {
    // Stored in an order unrelated to the listing order.
    await seed(db(), [...ORDERED].reverse());
    const expected = keys(ORDERED);
    assert.deepEqual(keys(await db().listDecisions()), expected);
    const only = (keep: (entry: DecisionRecord) => boolean): string[] => keys(ORDERED.filter(keep));
    assert.deepEqual(
      keys(await db().listDecisions({ runId: "a" })),
      only((entry) => entry.runId === "a"),
    );
    assert.deepEqual(
      keys(await db().listDecisions({ runId: "a", kind: "agent" })),
      only((entry) => entry.runId === "a" && entry.kind === "agent"),
    );
    assert.deepEqual(
      keys(await db().listDecisions({ kind: "workflow" })),
      only((entry) => entry.kind === "workflow"),
    );
    assert.deepEqual(
      keys(await db().listDecisions({ actorId: "bo" })),
      only((entry) => entry.actorId === "bo"),
    );
    assert.deepEqual(
      keys(await db().listDecisions({ since: 200 })),
      only((entry) => entry.decidedAt >= 200),
    );
    assert.deepEqual(
      keys(await db().listDecisions({ since: 201, actorId: "ana" })),
      only((entry) => entry.decidedAt >= 201 && entry.actorId === "ana"),
    );
    assert.deepEqual(await db().listDecisions({ runId: "nobody" }), []);
    assert.deepEqual(await db().listDecisions({ limit: 0 }), []);
  });

  it("pages by keyset across equal times, skipping and repeating no entry", async () => {
    await seed(db(), [...ORDERED].reverse());
    for (const pageSize of [1, 2, 3, 4, 10, 11, 12]) {
      assert.deepEqual(keys(await readAllPages(db(), {}, pageSize)), keys(ORDERED), `pages of ${pageSize}`);
    }
    assert.deepEqual(
      keys(await readAllPages(db(), { actorId: "ana", since: 150 }, 2)),
      keys(ORDERED.filter((entry) => entry.actorId === "ana" && entry.decidedAt >= 150)),
    );
    // `after` is a position, not a stored entry: between the two seqs of run "a" at 200.
    const after = { decidedAt: 200, kind: "agent" as const, runId: "a", seq: 5 };
    assert.deepEqual(keys(await db().listDecisions({ after, limit: 2 })), keys(ORDERED.slice(3, 5)));
  });

  it("returns 100 entries by default and at most 1000, refusing a larger or malformed limit", async () => {
    const entries = Array.from({ length: 1_001 }, (_, index) =>
      makeDecision({ seq: index + 1, decidedAt: 5_000 + Math.floor(index / 7) }),
    );
    await seed(db(), entries);
    const firstPage = await db().listDecisions();
    assert.equal(firstPage.length, 100);
    assert.deepEqual(keys(firstPage), keys(entries.slice(0, 100)));
    assert.equal((await db().listDecisions({ limit: 1_000 })).length, 1_000);
    assert.deepEqual(keys(await readAllPages(db(), {}, 1_000)), keys(entries));
    for (const limit of [1_001, -1, 2.5, Number.NaN]) {
      await assert.rejects(db().listDecisions({ limit }), StoreError, `limit ${limit} is refused`);
    }
    await assert.rejects(db().listDecisions({ limit: 5_000 }), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /at most 1000.*after/s);
      return true;
    });
    await assert.rejects(db().listDecisions({ since: 1.5 }), StoreError);
    const badAfter = { decidedAt: 5_000, kind: "robot", runId: "run-1", seq: 1 } as unknown as DecisionFilter["after"];
    await assert.rejects(db().listDecisions(badAfter === undefined ? {} : { after: badAfter }), StoreError);
  });
}
