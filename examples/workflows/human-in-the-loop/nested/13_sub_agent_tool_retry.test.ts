import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SqliteDb } from "kern/db/sqlite";
import { FakeModel } from "kern/testing";
import type { WorkflowRunOutput } from "kern/workflow";
import { build, input } from "./13_sub_agent_tool_retry.js";

delete process.env["OPENAI_API_KEY"];

const PATH = ["Coordinator", "Notifier", "page_oncall"];
const REJECTION = "Wrong team: the platform team owns the orders database.";

/** "kind:path" of the pause a run waits at, with each tool call's path and team for executor pauses. */
function pauseOf(run: WorkflowRunOutput): string {
  const active = run.activeStepRequirements;
  assert.equal(active.length, 1, "one pause at a time: no Parallel here");
  const [pause] = active;
  if (pause === undefined) return "none";
  const calls = pause.executorRequirements.map(
    (call) => `${call.path.join("/")}(${String(call.toolExecution.toolArgs["team"])})`,
  );
  return `${pause.kind}:${pause.path.join("/")}${calls.length > 0 ? ` ${calls.join(", ")}` : ""}`;
}

function requestCount(model: unknown): number {
  assert.ok(model instanceof FakeModel);
  return model.requests.length;
}

describe("scenario 13: a step's agent calls a sub-agent whose gated tool is rejected, then approved on a retry", () => {
  it("pauses at the step, then at the sub-agent's call twice; only the approved page runs, once", async () => {
    const { workflow, paged, models } = build();
    const pauses: string[] = [];
    let run = await workflow.run(input);
    pauses.push(pauseOf(run));
    assert.equal(run.pauseKind, "step");
    assert.equal(requestCount(models.coordinator), 0, "the step gate stands before the agent runs");
    run.activeStepRequirements[0]?.confirm();

    run = await workflow.continueRun(run);
    pauses.push(pauseOf(run));
    const first = run.activeStepRequirements[0];
    assert.deepEqual(
      [run.pauseKind, first?.executorName, first?.executorRequirements[0]?.toolExecution.toolArgs],
      ["executor", "Coordinator", { team: "database", message: "Orders database down since 09:12." }],
    );
    assert.deepEqual([run.stepRequirements.length, run.stepRequirements[0]?.isFrozen], [2, true]);
    first?.executorRequirements[0]?.reject(REJECTION);

    run = await workflow.continueRun(run);
    pauses.push(pauseOf(run));
    assert.deepEqual(paged, [], "the rejected page never ran");
    const retry = run.activeStepRequirements[0];
    assert.equal(retry?.executorRunId, first?.executorRunId, "the same agent run of the step, resumed in place");
    // The rejected pause is history now: it can never be decided again.
    assert.throws(() => run.stepRequirements[1]?.executorRequirements[0]?.confirm(), {
      name: "RequirementResolvedError",
    });
    retry?.executorRequirements[0]?.confirm();

    run = await workflow.continueRun(run);
    assert.deepEqual(pauses, [
      "confirmation:respond",
      `executor:respond ${PATH.join("/")}(database)`,
      `executor:respond ${PATH.join("/")}(platform)`,
    ]);
    assert.deepEqual(
      [run.status, run.content],
      ["completed", "Postmortem scheduled. Incident handled: Paged the platform team."],
    );
    assert.deepEqual(paged, ["platform"], "the approved page ran exactly once");
    // Coordinator: the task, the rejected page's answer, the approved page's answer. Notifier: two
    // calls for each of its two runs. None repeated by a continue.
    assert.deepEqual([requestCount(models.coordinator), requestCount(models.notifier)], [3, 4]);
    const [coordinatorRun] = run.stepExecutorRuns;
    assert.deepEqual(
      coordinatorRun?.subRuns.map((sub) => [sub.agentName, sub.content]),
      [
        [
          "Notifier",
          `I did not page the database team: The user rejected this tool call; it was not executed. Note from the user: ${REJECTION}`,
        ],
        ["Notifier", "Paged the platform team."],
      ],
    );
    assert.deepEqual(
      coordinatorRun?.requirements.map((requirement) => [
        requirement.path.join("/"),
        requirement.decision?.type,
        requirement.isFrozen,
      ]),
      [
        [PATH.join("/"), "reject", true],
        [PATH.join("/"), "confirm", true],
      ],
    );
  });

  it("each pause is decided by a new process's copy of the workflow, from SQLite, with decisions as data", async () => {
    const directory = mkdtempSync(join(tmpdir(), "kern-scenario-13-"));
    const dbFile = join(directory, "workflow.db");
    const paged: string[] = [];
    try {
      const started = await build({ db: new SqliteDb({ dbFile }) }).workflow.run(input);
      let ref = { runId: started.runId, sessionId: started.sessionId };
      const decide = async (decision: (run: WorkflowRunOutput) => { requirementId: string; decision: object }) => {
        const scenario = build({ db: new SqliteDb({ dbFile }) });
        const loaded = await scenario.workflow.getRunOutput(ref.runId, ref.sessionId);
        const next = await scenario.workflow.continueRun({ ...ref, decisions: [decision(loaded)] as never });
        paged.push(...scenario.paged);
        ref = { runId: next.runId, sessionId: next.sessionId };
        return next;
      };
      const idOf = (run: WorkflowRunOutput, call: boolean): string =>
        (call ? run.activeStepRequirements[0]?.executorRequirements[0]?.id : run.activeStepRequirements[0]?.id) ?? "";
      await decide((run) => ({ requirementId: idOf(run, false), decision: { type: "confirm" } }));
      await decide((run) => ({ requirementId: idOf(run, true), decision: { type: "reject", feedback: REJECTION } }));
      const done = await decide((run) => ({ requirementId: idOf(run, true), decision: { type: "confirm" } }));
      assert.deepEqual([done.status, paged], ["completed", ["platform"]]);
      assert.equal(done.content, "Postmortem scheduled. Incident handled: Paged the platform team.");
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
