import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunRecord, RunWrite } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";
import { approve, Counter, gatedAgent } from "./workflow.test-helper.js";

/** An InMemoryDb that logs each write call as "<call> <kind>:<status>[, ...]". */
class WriteLog extends InMemoryDb {
  readonly calls: string[] = [];
  override async insertRun(record: RunRecord): Promise<void> {
    this.calls.push(`insertRun ${label(record)}`);
    return super.insertRun(record);
  }
  override async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    this.calls.push(`updateRun ${label(record)}`);
    return super.updateRun(record, expectedRevision);
  }
  override async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    this.calls.push(`writeRuns ${writes.map(({ record, expectedRevision }) => `${expectedRevision === null ? "+" : ""}${label(record)}`).join(", ")}`);
    return super.writeRuns(writes);
  }
}

function label(record: RunRecord): string {
  return `${record.kind}:${record.status}`;
}

describe("a step agent's saves in the workflow's Db", () => {
  it("are stored in one transaction with the workflow's own save, at the pause and at the end", async () => {
    const db = new WriteLog();
    const counter = new Counter();
    const { agent } = gatedAgent("AlertAgent", counter, db);
    const workflow = new Workflow({ name: "alerts", db, steps: [new Step({ name: "send_alert", agent })] });

    const paused = await workflow.run("alert");
    assert.deepEqual(db.calls, ["writeRuns +agent:paused, +workflow:paused"]);
    db.calls.length = 0;

    approve(paused);
    const done = await workflow.continueRun(paused);
    assert.equal(done.status, "completed");
    assert.equal(counter.of("AlertAgent_tool"), 1);
    // The two claims come first, each on its own: each must be stored before anything runs.
    assert.deepEqual(db.calls, ["updateRun workflow:running", "updateRun agent:running", "writeRuns agent:completed, workflow:completed"]);
  });

  it("are stored before the next step runs", async () => {
    const db = new WriteLog();
    const counter = new Counter();
    const { agent } = gatedAgent("AlertAgent", counter, db);
    const seen: string[] = [];
    const workflow = new Workflow({
      name: "alerts",
      db,
      steps: [
        new Step({ name: "send_alert", agent }),
        new Step({
          name: "audit",
          executor: async () => {
            const [entry] = (await workflow.getRunOutput(paused.runId, paused.sessionId)).toJSON().executorRuns;
            const stored = await db.getRun("agent", entry?.runId ?? "");
            seen.push(stored?.status ?? "missing");
            return "audited";
          },
        }),
      ],
    });
    const paused = await workflow.run("alert");
    approve(paused);
    const done = await workflow.continueRun(paused);
    assert.equal(done.content, "audited");
    assert.deepEqual(seen, ["completed"], "the agent run was stored as completed before the next step ran");
    assert.deepEqual(db.calls.slice(-2), ["writeRuns agent:completed", "updateRun workflow:completed"]);
  });

  it("are not held when the agent stores its runs in a Db of its own", async () => {
    const workflowDb = new WriteLog();
    const agentDb = new WriteLog();
    const { agent } = gatedAgent("AlertAgent", new Counter(), agentDb);
    const workflow = new Workflow({ name: "alerts", db: workflowDb, steps: [new Step({ name: "send_alert", agent })] });
    await workflow.run("alert");
    assert.deepEqual(agentDb.calls, ["insertRun agent:paused"]);
    assert.deepEqual(workflowDb.calls, ["insertRun workflow:paused"]);
  });
});
