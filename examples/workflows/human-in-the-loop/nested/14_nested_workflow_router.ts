// Scenario 14: a workflow used as a step, with a router choice inside. The release train's
// "deploy" step runs the Deploy workflow (`new Step({ executor: deployWorkflow })`): its plan step,
// then its Router "target", where a person picks staging or production; the chosen route's agent
// then asks to run its gated deploy tool. Every gate of the inner workflow pauses the outer run,
// with a path through the step into the inner workflow ("deploy › Deploy › target"), and each
// continue resumes the inner workflow in place: its plan step runs once, whatever the pauses.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/14_nested_workflow_router.ts [staging|production]
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.

import type { Db, Model } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, text, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Router, Step, Workflow, type WorkflowRunOutput } from "kern/workflow";
import { z } from "zod";
import { isMain, lastToolResult, modelFor } from "./shared.js";

export const input = "Release 1.4.0";

export interface Scenario {
  workflow: Workflow;
  /** Each real side effect, in order: "plan", "deploy_staging 1.4.0", "deploy_production 1.4.0". */
  effects: string[];
  /** The deployers' models: FakeModels (recording every request) when offline. */
  models: { staging: Model; production: Model };
}

/**
 * A deployer's part, for whichever process drives it: deploy 1.4.0 with its tool, then say whether
 * it went out. Enough turns for many runs in one process.
 */
function deployerScript(target: string): FakeScript[] {
  const turn: FakeScript = (request) => {
    const result = lastToolResult(request);
    if (result === null) return toolCall(`deploy_${target}`, { version: "1.4.0" });
    return text(
      result.startsWith("Deployed") ? `Deployed 1.4.0 to ${target}.` : `1.4.0 was not deployed to ${target}.`,
    );
  };
  return Array.from({ length: 32 }, () => turn);
}

export const scripts = { staging: deployerScript("staging"), production: deployerScript("production") };

/** A deploy step for `target`: its agent and its gated deploy tool. */
function deployStep(target: "staging" | "production", model: Model, db: Db, effects: string[]): Step {
  const deploy = tool({
    name: `deploy_${target}`,
    description: `Deploy a version to ${target}.`,
    parameters: z.object({ version: z.string() }),
    requiresConfirmation: true,
    execute: ({ version }) => {
      effects.push(`deploy_${target} ${version}`);
      return `Deployed ${version} to ${target}.`;
    },
  });
  const name = target === "staging" ? "StagingDeployer" : "ProdDeployer";
  const agent = new Agent({
    name,
    instructions: `You deploy the version you are given to ${target} with deploy_${target}, then say what you did.`,
    model,
    tools: [deploy],
    db,
  });
  return new Step({ name: target, agent });
}

/** The Deploy workflow: plan, then a person picks the target. Used as a step of the release train. */
function deployWorkflow(db: Db, effects: string[], models: Scenario["models"]): Workflow {
  return new Workflow({
    name: "Deploy",
    steps: [
      new Step({
        name: "plan",
        // Inside a workflow used as a step, `input` is what the step was given.
        executor: (step) => {
          effects.push("plan");
          return `Deploy plan for 1.4.0 (${step.input})`;
        },
      }),
      new Router({
        name: "target",
        requiresUserInput: true,
        userInputMessage: "Where should 1.4.0 go?",
        choices: [
          deployStep("staging", models.staging, db, effects),
          deployStep("production", models.production, db, effects),
        ],
      }),
    ],
  });
}

export function build(options: { db?: Db; scripts?: typeof scripts } = {}): Scenario {
  const effects: string[] = [];
  const db = options.db ?? new InMemoryDb();
  const models = {
    staging: modelFor(options.scripts?.staging ?? scripts.staging),
    production: modelFor(options.scripts?.production ?? scripts.production),
  };
  const workflow = new Workflow({
    name: "ReleaseTrain",
    db,
    steps: [
      new Step({ name: "build", executor: () => "Build of 1.4.0 passed." }),
      new Step({
        name: "deploy",
        executor: deployWorkflow(db, effects, models),
        requiresConfirmation: true,
        confirmationMessage: "Start the deployment of 1.4.0?",
      }),
      new Step({ name: "announce", executor: (step) => `Announced: ${step.previousStepContent ?? "nothing"}` }),
    ],
  });
  return { workflow, effects, models };
}

/** One line per requirement waiting now: its breadcrumb and what it asks. */
export function describeWaiting(run: WorkflowRunOutput): string {
  if (!run.isPaused) return `${run.status}: ${run.content ?? ""}`;
  return run.activeStepRequirements
    .map((requirement) => {
      const where = [run.workflowName, ...requirement.path];
      if (requirement.requiresRouteSelection)
        return `[route] ${where.join(" › ")}: ${requirement.message ?? ""} (${(requirement.availableChoices ?? []).join(", ")})`;
      if (!requirement.requiresExecutorInput)
        return `[${requirement.kind}] ${where.join(" › ")}: ${requirement.message ?? ""}`;
      return requirement.executorRequirements
        .map(
          (call) =>
            `[executor] ${[...where, ...call.path].join(" › ")}(${JSON.stringify(call.toolExecution.toolArgs)})`,
        )
        .join("\n");
    })
    .join("\n");
}

if (isMain(import.meta.url)) {
  const target = process.argv[2] === "staging" ? "staging" : "production";
  const { workflow, effects } = build();
  let run = await workflow.run(input);
  while (run.isPaused) {
    console.log(describeWaiting(run));
    const active = run.activeStepRequirements[0];
    if (active?.requiresRouteSelection) {
      console.log(`→ select ${target}`);
      active.select(target);
    } else if (active?.requiresExecutorInput) {
      console.log("→ approve");
      for (const call of active.executorRequirements) call.confirm();
    } else {
      console.log("→ approve");
      active?.confirm();
    }
    run = await workflow.continueRun(run);
  }
  console.log(describeWaiting(run));
  console.log(`side effects: ${effects.join("; ")}`);
}
