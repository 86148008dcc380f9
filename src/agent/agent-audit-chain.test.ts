import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { z } from "zod";
import { SqliteDb } from "../db/sqlite/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Agent } from "./agent.js";

const ALICE = { id: "alice", roles: ["finance"] };
const BOB = { id: "bob", roles: ["finance"] };

describe("the decisions table is tamper-evident", () => {
  let directory: string;
  let dbFile: string;
  let db: SqliteDb;
  let runId: string;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), "kern-audit-"));
    dbFile = join(directory, "kern.db");
    db = new SqliteDb({ dbFile });
    const pay = tool({
      name: "pay_invoice",
      parameters: z.object({ invoice: z.string() }),
      requiresConfirmation: true,
      approvers: ["finance"],
      execute: (args) => `Paid ${args.invoice}`,
    });
    const model = new FakeModel([
      toolCall("pay_invoice", { invoice: "INV-7" }),
      toolCall("pay_invoice", { invoice: "INV-8" }),
      text("Done."),
    ]);
    const agent = new Agent({ name: "Payer", model, tools: [pay], db });
    let run = await agent.run("Pay both");
    runId = run.runId;
    run.activeRequirements[0]?.confirm();
    run = await agent.continueRun(run, { actor: ALICE });
    run.activeRequirements[0]?.reject("duplicate invoice");
    run = await agent.continueRun(run, { actor: BOB });
    assert.equal(run.status, "completed");
  });

  after(async () => {
    await db.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Runs SQL on the file behind kern's back, as someone with database access would. */
  function tamper(sql: string, ...params: unknown[]): void {
    const raw = new Database(dbFile);
    try {
      raw.prepare(sql).run(...params);
    } finally {
      raw.close();
    }
  }

  it("holds one entry per decision, chained, and verifies", async () => {
    const entries = await db.listDecisions({ runId });
    assert.deepEqual(
      entries.map((entry) => [entry.seq, entry.actorId, entry.decision]),
      [
        [1, "alice", '{"type":"confirm"}'],
        [2, "bob", '{"feedback":"duplicate invoice","type":"reject"}'],
      ],
    );
    assert.equal(entries[1]?.prevHash, entries[0]?.hash);
    assert.equal((await verifyDecisionChain(db, { kind: "agent", runId })).ok, true);
  });

  it("fails verification when a row is edited, names the row, and passes again once it is restored", async () => {
    tamper("UPDATE kern_decisions SET actor_id = 'mallory' WHERE run_id = ? AND seq = 1", runId);
    const verdict = await verifyDecisionChain(db, { kind: "agent", runId });
    assert.deepEqual([verdict.ok, verdict.seq], [false, 1]);
    assert.match(verdict.problem ?? "", /entry 1 was changed after it was written/);
    tamper("UPDATE kern_decisions SET actor_id = 'alice' WHERE run_id = ? AND seq = 1", runId);
    assert.equal((await verifyDecisionChain(db, { kind: "agent", runId })).ok, true);
  });

  it("fails verification when an edited row's own hash is recomputed: the next entry no longer follows it", async () => {
    const [first] = await db.listDecisions({ runId });
    tamper("UPDATE kern_decisions SET hash = ? WHERE run_id = ? AND seq = 1", "0".repeat(64), runId);
    const verdict = await verifyDecisionChain(db, { kind: "agent", runId });
    assert.equal(verdict.ok, false);
    tamper("UPDATE kern_decisions SET hash = ? WHERE run_id = ? AND seq = 1", first?.hash, runId);
    assert.equal((await verifyDecisionChain(db, { kind: "agent", runId })).ok, true);
  });

  it("fails verification when the last row is deleted: the run records where its chain ends", async () => {
    tamper("DELETE FROM kern_decisions WHERE run_id = ? AND seq = 2", runId);
    const verdict = await verifyDecisionChain(db, { kind: "agent", runId });
    assert.equal(verdict.ok, false);
    assert.match(verdict.problem ?? "", /the run records 2 entries .* the table holds 1/);
  });
});
