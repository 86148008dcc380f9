import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SqliteDb } from "kern/db/sqlite";
import { FakeModel } from "kern/testing";
import type { StepOutput, WorkflowRunOutput } from "kern/workflow";
import { build, input } from "./14_nested_workflow_router.js";

delete process.env["OPENAI_API_KEY"];

/** "kind:path" of the pause a run waits at (with each tool call's path for an executor pause). */
function pauseOf(run: WorkflowRunOutput): string {
  const active = run.activeStepRequirements;
  assert.equal(active.length, 1, "one pause at a time: no Parallel here");
  const [pause] = active;
  if (pause === undefined) return "none";
  const calls = pause.executorRequirements.map((call) => call.path.join("/"));
  return `${pause.kind}:${pause.path.join("/")}${calls.length > 0 ? ` ${calls.join(", ")}` : ""}`;
}

function requestCount(model: unknown): number {
  assert.ok(model instanceof FakeModel);
  return model.requests.length;
}

/** Each output's name and content, nested outputs indented by their depth. */
function outline(outputs: readonly StepOutput[], depth = 0): string[] {
  return outputs.flatMap((output) => [
    `${"  ".repeat(depth)}${output.stepName}: ${output.content ?? "(skipped)"}`,
    ...outline(output.steps, depth + 1),
  ]);
}

/** Approves (or, at the router, selects `target`) the pause a run waits at; returns its label. */
function decide(run: WorkflowRunOutput, target: string): string {
  const label = pauseOf(run);
  const active = run.activeStepRequirements[0];
  if (active?.requiresRouteSelection) active.select(target);
  else if (active?.requiresExecutorInput) for (const call of active.executorRequirements) call.confirm();
  else active?.confirm();
  return label;
}

describe("scenario 14: a nested workflow with a router choice inside", () => {
  for (const target of ["production", "staging"] as const) {
    it(`pauses at the step, at the inner router, then at the ${target} deployer's tool; deploys to ${target} once`, async () => {
      const { workflow, effects, models } = build();
      const pauses: string[] = [];
      let run = await workflow.run(input);
      assert.equal(run.pauseKind, "step");
      assert.deepEqual(effects, [], "the step gate stands before the inner workflow starts");
      while (run.isPaused) {
        if (run.activeStepRequirements[0]?.requiresRouteSelection) {
          const route = run.activeStepRequirements[0];
          assert.deepEqual(
            [route.availableChoices, route.message, route.stepPath],
            [["staging", "production"], "Where should 1.4.0 go?", [1, 0, 1]],
          );
        }
        pauses.push(decide(run, target));
        run = await workflow.continueRun(run);
      }
      const deployer = target === "production" ? "ProdDeployer" : "StagingDeployer";
      assert.deepEqual(pauses, [
        "confirmation:deploy",
        "route:deploy/Deploy/target",
        `executor:deploy/Deploy/target/${target} ${deployer}/deploy_${target}`,
      ]);
      assert.deepEqual([run.status, run.content], ["completed", `Announced: Deployed 1.4.0 to ${target}.`]);
      assert.deepEqual(
        effects,
        ["plan", `deploy_${target} 1.4.0`],
        "the plan ran once; only the chosen route deployed",
      );
      const other = target === "production" ? models.staging : models.production;
      assert.deepEqual(
        [requestCount(target === "production" ? models.production : models.staging), requestCount(other)],
        [2, 0],
      );
      assert.deepEqual(outline(run.stepResults), [
        "build: Build of 1.4.0 passed.",
        `deploy: Deployed 1.4.0 to ${target}.`,
        `  Deploy: Deployed 1.4.0 to ${target}.`,
        "    plan: Deploy plan for 1.4.0 (Build of 1.4.0 passed.)",
        `    target: Deployed 1.4.0 to ${target}.`,
        `      ${target}: Deployed 1.4.0 to ${target}.`,
        `announce: Announced: Deployed 1.4.0 to ${target}.`,
      ]);
      assert.equal(run.stepRequirements.length, 3);
      assert.ok(run.stepRequirements.every((requirement) => requirement.isFrozen));
    });
  }

  it("resumes the inner workflow in place from another process's copy, loaded from SQLite", async () => {
    const directory = mkdtempSync(join(tmpdir(), "kern-scenario-14-"));
    const dbFile = join(directory, "workflow.db");
    const effects: string[] = [];
    const labels: string[] = [];
    try {
      const first = build({ db: new SqliteDb({ dbFile }) });
      let run = await first.workflow.run(input);
      effects.push(...first.effects);
      while (run.isPaused) {
        // A new process: a fresh copy of the workflow (and its models), the run loaded by id.
        const copy = build({ db: new SqliteDb({ dbFile }) });
        const loaded = await copy.workflow.getRunOutput(run.runId, run.sessionId);
        labels.push(decide(loaded, "production"));
        run = await copy.workflow.continueRun(loaded);
        effects.push(...copy.effects);
      }
      assert.deepEqual(labels, [
        "confirmation:deploy",
        "route:deploy/Deploy/target",
        "executor:deploy/Deploy/target/production ProdDeployer/deploy_production",
      ]);
      assert.deepEqual([run.status, effects], ["completed", ["plan", "deploy_production 1.4.0"]]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("rejecting the route skips the router: nothing is deployed, the release train goes on", async () => {
    const { workflow, effects } = build();
    let run = await workflow.run(input);
    run.activeStepRequirements[0]?.confirm();
    run = await workflow.continueRun(run);
    run.activeStepRequirements[0]?.reject("Not this week.");
    run = await workflow.continueRun(run);
    assert.deepEqual(
      [run.status, run.content],
      ["completed", "Announced: Deploy plan for 1.4.0 (Build of 1.4.0 passed.)"],
    );
    assert.deepEqual(effects, ["plan"]);
  });
});
