import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import type { RunRecord, RunWrite } from "../db/db.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step } from "./components/step.js";
import { CrashingDb, LATER } from "./crashing-db.test-helper.js";
import { Workflow } from "./workflow.js";
import { approve, Counter, gatedAgent } from "./workflow.test-helper.js";

/** A CrashingDb that logs each write call as "<call> [+]<kind>:<status>, ...". */
class LoggedDb extends CrashingDb {
  readonly calls: string[] = [];
  override async insertRun(record: RunRecord): Promise<void> {
    this.calls.push(`insertRun ${record.kind}:${record.status}`);
    return super.insertRun(record);
  }
  override async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    this.calls.push(`updateRun ${record.kind}:${record.status}`);
    return super.updateRun(record, expectedRevision);
  }
  override async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    const labels = writes.map(
      ({ record, expectedRevision }) => `${expectedRevision === null ? "+" : ""}${record.kind}:${record.status}`,
    );
    this.calls.push(`writeRuns ${labels.join(", ")}`);
    return super.writeRuns(writes);
  }
}

describe("a step agent's run, inserted by its first write", () => {
  it("is stored, with the step's start, before its first tool call runs", async () => {
    const db = new LoggedDb();
    const seen: string[] = [];
    const lookup = tool({
      name: "lookup",
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        // What a crash now would leave: the agent run, and the workflow run's step started.
        const [agentRun] = await db.listRuns({ kind: "agent" });
        const [workflowRun] = await db.listRuns({ kind: "workflow" });
        const stepStarted = (await db.getRun("workflow", workflowRun?.runId ?? ""))?.state.includes(
          '"phase":"execute"',
        );
        seen.push(`${agentRun?.status ?? "missing"} ${stepStarted === true ? "step started" : "step not started"}`);
        return `sunny in ${city}`;
      },
    });
    const model = new FakeModel([toolCall("lookup", { city: "Tokyo" }), text("It is sunny")]);
    const agent = new Agent({ name: "Weather", model, tools: [lookup], db });
    const workflow = new Workflow({ name: "weather", db, steps: [new Step({ name: "ask", agent })] });
    const done = await workflow.run("weather?");
    assert.equal(done.content, "It is sunny");
    assert.deepEqual(seen, ["running step started"]);
    assert.deepEqual(db.calls, [
      "insertRun workflow:running",
      "writeRuns +agent:running, workflow:running", // the call marked as started, with the step's start
      "updateRun agent:running", // the call's result
      "writeRuns agent:completed, workflow:completed",
    ]);
  });

  it("is never stored when the process dies before that write: recover() starts the step again, and its tool runs once", async () => {
    const db = new CrashingDb();
    const counter = new Counter();
    const build = (script?: Parameters<typeof gatedAgent>[3]) => {
      const { agent } = gatedAgent("AlertAgent", counter, db, script);
      return new Workflow({ name: "alerts", db, steps: [new Step({ name: "send_alert", agent })] });
    };
    db.crashOn = (record) => record.kind === "agent";
    const first = build();
    await assert.rejects(first.run("alert"), /process died/);
    assert.deepEqual(await db.listRuns({ kind: "agent" }), [], "no agent run was stored");
    const [crashed] = await db.listRuns({ kind: "workflow" });
    assert.equal(crashed?.status, "running");

    const report = await build().recover({ now: LATER });
    assert.deepEqual(
      report.workflowRuns.map((run) => run.needsDecision),
      [false],
    );
    const resumed = await build().continueRun({ runId: crashed?.runId ?? "", sessionId: crashed?.sessionId ?? "" });
    assert.equal(resumed.pauseKind, "executor", "the step started again, and its agent paused on its tool");
    approve(resumed);
    const done = await build([text("sent")]).continueRun(resumed);
    assert.equal(done.status, "completed");
    assert.equal(counter.of("AlertAgent_tool"), 1);
    assert.equal((await db.listRuns({ kind: "agent" })).length, 1, "one agent run, from the step's second start");
  });
});
