import assert from "node:assert/strict";
import { it } from "node:test";
import type { Db, GrantRecord } from "./db.js";
import { makeRecord, nextRecord, storeError } from "./records.test-helper.js";

/** Builds a grant with readable defaults; override what the test is about. */
export function makeGrant(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: "grant-1",
    ownerKind: "agent",
    ownerId: "agent-a",
    toolName: "send_alert",
    scope: "session",
    scopeId: "session-1",
    argsMatch: null,
    createdBy: "ana",
    createdAt: 1_000,
    expiresAt: null,
    revokedAt: null,
    ...overrides,
  };
}

function ids(grants: GrantRecord[]): string[] {
  return grants.map((grant) => grant.id);
}

/** What every store must do with grants: insert, read, list with filters and pages, revoke once. */
export function registerGrantConformance(db: () => Db): void {
  it("insertGrant() stores a grant exactly as given; a second with the same id is refused", async () => {
    const grant = makeGrant({ argsMatch: '{"city":"Osaka ✓"}', expiresAt: 5_000, scope: "user", scopeId: "user-1" });
    await db().insertGrant(grant);
    const agentWide = makeGrant({ id: "grant-2", scope: "agent", scopeId: null });
    await db().insertGrant(agentWide);
    assert.deepEqual(await db().getGrant("grant-1"), grant);
    assert.deepEqual(await db().getGrant("grant-2"), agentWide);
    assert.equal(await db().getGrant("nope"), null);
    await assert.rejects(db().insertGrant(makeGrant({ toolName: "other" })), storeError("grant-1"));
    assert.equal((await db().getGrant("grant-1"))?.toolName, "send_alert");
  });

  it("refuses a malformed grant before storing anything", async () => {
    const bad: Array<Partial<GrantRecord>> = [
      { scope: "agent", scopeId: "x" },
      { scope: "session", scopeId: null },
      { argsMatch: "[1]" },
      { argsMatch: "not json" },
      { toolName: "" },
      { expiresAt: 1.5 },
    ];
    for (const overrides of bad) {
      await assert.rejects(db().insertGrant(makeGrant(overrides)), storeError("Nothing was stored"));
    }
    assert.deepEqual(await db().listGrants(), []);
  });

  it("listGrants() filters by owner, tool, creator and activity, oldest first, keyset paged", async () => {
    const grants = [
      makeGrant({ id: "b", createdAt: 100 }),
      makeGrant({ id: "a", createdAt: 200, toolName: "pay", createdBy: "bo" }),
      makeGrant({ id: "c", createdAt: 200, expiresAt: 300 }),
      makeGrant({ id: "d", createdAt: 300, ownerId: "agent-b", revokedAt: 400 }),
      makeGrant({ id: "e", createdAt: 400, createdBy: "bo", expiresAt: 1_000 }),
    ];
    for (const grant of grants) await db().insertGrant(grant);
    assert.deepEqual(ids(await db().listGrants()), ["b", "a", "c", "d", "e"]);
    assert.deepEqual(ids(await db().listGrants({ ownerId: "agent-a" })), ["b", "a", "c", "e"]);
    assert.deepEqual(ids(await db().listGrants({ toolName: "send_alert" })), ["b", "c", "d", "e"]);
    assert.deepEqual(ids(await db().listGrants({ createdBy: "bo" })), ["a", "e"]);
    assert.deepEqual(ids(await db().listGrants({ activeAt: 299 })), ["b", "a", "c", "e"]);
    assert.deepEqual(ids(await db().listGrants({ activeAt: 300 })), ["b", "a", "e"]);
    assert.deepEqual(ids(await db().listGrants({ activeAt: 1_000, toolName: "send_alert" })), ["b"]);
    const first = await db().listGrants({ limit: 2 });
    assert.deepEqual(ids(first), ["b", "a"]);
    const last = first.at(-1);
    assert.ok(last);
    assert.deepEqual(ids(await db().listGrants({ limit: 2, after: last })), ["c", "d"]);
    await assert.rejects(db().listGrants({ limit: 1001 }), storeError("from 0 to 1000"));
  });

  it("revokeGrant() revokes once; a revoked or unknown grant returns false", async () => {
    await db().insertGrant(makeGrant());
    assert.equal(await db().revokeGrant("grant-1", 2_000), true);
    assert.equal(await db().revokeGrant("grant-1", 3_000), false);
    assert.equal(await db().revokeGrant("nope", 3_000), false);
    assert.equal((await db().getGrant("grant-1"))?.revokedAt, 2_000);
    assert.deepEqual(await db().listGrants({ activeAt: 1_500 }), []);
  });

  it("writeRuns() inserts grants with the claim, all or nothing", async () => {
    const paused = makeRecord();
    await db().insertRun(paused);
    const moved = nextRecord(paused);
    assert.equal(await db().updateRun(moved, 1), true);
    // A stale claim (it expects revision 1; the run is at 2) stores none of its grants.
    const stale = nextRecord(paused, { status: "running", leaseExpiresAt: 9_000 });
    assert.equal(await db().writeRuns([{ record: stale, expectedRevision: 1, grants: [makeGrant()] }]), false);
    assert.equal(await db().getGrant("grant-1"), null);
    const claimed = nextRecord(moved, { status: "running", leaseExpiresAt: 9_000 });
    assert.equal(await db().writeRuns([{ record: claimed, expectedRevision: 2, grants: [makeGrant()] }]), true);
    assert.deepEqual(await db().getGrant("grant-1"), makeGrant());
    // A grant stored already refuses the whole write: the run stays at its revision.
    const again = nextRecord(claimed, { status: "paused", leaseExpiresAt: null });
    await assert.rejects(
      db().writeRuns([{ record: again, expectedRevision: 3, grants: [makeGrant()] }]),
      storeError("grant-1"),
    );
    assert.equal((await db().getRun("agent", "run-1"))?.revision, 3);
  });
}
