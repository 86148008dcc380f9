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
    this.calls.push(
      `writeRuns ${writes.map(({ record, expectedRevision }) => `${expectedRevision === null ? "+" : ""}${label(record)}`).join(", ")}`,
    );
    return super.writeRuns(writes);
  }
}

function label(record: RunRecord): string {
  return `${record.kind}:${record.status}`;
}

describe("the writes of a workflow run and its step agent in one Db", () => {
  it("store the run before it acts, each step's start and each tool result, and the agent's end with the workflow's", async () => {
    const db = new WriteLog();
    const counter = new Counter();
    const { agent } = gatedAgent("AlertAgent", counter, db);
    const workflow = new Workflow({ name: "alerts", db, steps: [new Step({ name: "send_alert", agent })] });

    const paused = await workflow.run("alert");
    assert.deepEqual(db.calls, [
      "insertRun workflow:running", // the run, before its first step
      // The pause: the agent run inserted as it paused, with the workflow run (its step started
      // and its agent paused) in one transaction. Before it, the agent only called its model.
      "writeRuns +agent:paused, workflow:paused",
    ]);
    db.calls.length = 0;

    approve(paused);
    const done = await workflow.continueRun(paused);
    assert.equal(done.status, "completed");
    assert.equal(counter.of("AlertAgent_tool"), 1);
    assert.deepEqual(db.calls, [
      // The claim of the whole tree: the workflow run with the decision and its audit entry, and
      // its step agent's run, in one transaction. The approved call may start.
      "writeRuns agent:running, workflow:running",
      "updateRun agent:running", // the call's result, before the model is called again
      "writeRuns agent:completed, workflow:completed", // the end, both runs at once
    ]);
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
    // The next step's start carries the agent's end: one transaction, before the step runs.
    assert.deepEqual(db.calls.slice(-2), [
      "writeRuns agent:completed, workflow:running",
      "updateRun workflow:completed",
    ]);
  });

  it("are not held when the agent stores its runs in a Db of its own", async () => {
    const workflowDb = new WriteLog();
    const agentDb = new WriteLog();
    const { agent } = gatedAgent("AlertAgent", new Counter(), agentDb);
    const workflow = new Workflow({ name: "alerts", db: workflowDb, steps: [new Step({ name: "send_alert", agent })] });
    await workflow.run("alert");
    assert.deepEqual(agentDb.calls, ["insertRun agent:running", "updateRun agent:paused"]);
    assert.deepEqual(workflowDb.calls, [
      "insertRun workflow:running",
      "updateRun workflow:running",
      "updateRun workflow:paused",
    ]);
  });
});
