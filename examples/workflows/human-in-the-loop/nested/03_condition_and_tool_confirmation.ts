// Scenario 3: a Condition gated before it runs; each branch's agent calls its own gated tool.
// Confirming runs the if branch (production); rejecting runs the else branch (staging).
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/03_condition_and_tool_confirmation.ts [--reject]
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.
import { argv } from "node:process";
import type { Db, Model } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, toolCall } from "kern/testing";
import { type Tool, tool } from "kern/tools";
import { Condition, Step, Workflow } from "kern/workflow";
import { z } from "zod";
import { approveActive, describePause, isMain, modelFor, reportAfterTool } from "./shared.js";

export interface Scenario {
  workflow: Workflow;
  /** Versions really deployed to production, one entry per execution of deploy_prod. */
  prodDeploys: string[];
  /** Versions really deployed to staging, one entry per execution of deploy_staging. */
  stagingDeploys: string[];
  /** How many times the gate's evaluator ran (rejecting goes to the else branch without it). */
  evaluations: { count: number };
  /** ProdDeployer's model: a FakeModel (recording every request) when offline. */
  prodModel: Model;
  /** StagingDeployer's model: a FakeModel (recording every request) when offline. */
  stagingModel: Model;
}

/** ProdDeployer's scripted part: deploy, then report whether the deploy ran. */
export const prodScript: FakeScript[] = [
  toolCall("deploy_prod", { version: "v2.4.0" }),
  reportAfterTool(
    / is live on prod\.$/,
    "Deployed v2.4.0 to production.",
    "I did not deploy v2.4.0 to production: the deploy was rejected.",
  ),
];
/** StagingDeployer's scripted part: deploy, then report whether the deploy ran. */
export const stagingScript: FakeScript[] = [
  toolCall("deploy_staging", { version: "v2.4.0" }),
  reportAfterTool(
    / is live on staging\.$/,
    "Deployed v2.4.0 to staging.",
    "I did not deploy v2.4.0 to staging: the deploy was rejected.",
  ),
];

function deployTool(environment: "prod" | "staging", deploys: string[]): Tool {
  return tool({
    name: `deploy_${environment}`,
    description: `Deploy a version to ${environment === "prod" ? "production" : "staging"}.`,
    parameters: z.object({ version: z.string() }),
    requiresConfirmation: true,
    execute: ({ version }) => {
      deploys.push(version);
      return `${version} is live on ${environment}.`;
    },
  });
}

function deployer(name: string, id: string, model: Model, deploy: Tool, db: Db): Agent {
  return new Agent({
    name,
    id,
    instructions: `You deploy the requested version with ${deploy.name}, then say what you deployed in one sentence.`,
    model,
    tools: [deploy],
    db,
  });
}

export function build(options: { db?: Db; prodScript?: FakeScript[]; stagingScript?: FakeScript[] } = {}): Scenario {
  const prodDeploys: string[] = [];
  const stagingDeploys: string[] = [];
  const evaluations = { count: 0 };
  const db = options.db ?? new InMemoryDb();
  const prodModel = modelFor(options.prodScript ?? prodScript);
  const stagingModel = modelFor(options.stagingScript ?? stagingScript);
  const prodAgent = deployer("ProdDeployer", "prod-deployer", prodModel, deployTool("prod", prodDeploys), db);
  const stagingAgent = deployer(
    "StagingDeployer",
    "staging-deployer",
    stagingModel,
    deployTool("staging", stagingDeploys),
    db,
  );
  const workflow = new Workflow({
    name: "GatedDeploy",
    db,
    steps: [
      new Condition({
        name: "deploy_gate",
        requiresConfirmation: true,
        confirmationMessage: "Deploy to production? Rejecting deploys to staging instead.",
        evaluator: () => {
          evaluations.count += 1;
          return true;
        },
        steps: [new Step({ name: "deploy_prod", agent: prodAgent })],
        elseSteps: [new Step({ name: "deploy_staging", agent: stagingAgent })],
      }),
      new Step({
        name: "announce",
        executor: (input) => `Announced: ${input.previousStepContent ?? "nothing was deployed"}`,
      }),
    ],
  });
  return { workflow, prodDeploys, stagingDeploys, evaluations, prodModel, stagingModel };
}

if (isMain(import.meta.url)) {
  const rejectGate = argv.includes("--reject");
  const { workflow } = build();
  let run = await workflow.run("Deploy version v2.4.0");
  while (run.isPaused) {
    const gate = run.stepsRequiringConfirmation[0];
    if (rejectGate && gate?.stepName === "deploy_gate") {
      console.log(describePause(run), "→ reject (deploy to staging)");
      gate.reject("Production is frozen this week");
    } else {
      console.log(describePause(run), "→ approve");
      approveActive(run);
    }
    run = await workflow.continueRun(run);
  }
  console.log(`${run.status}: ${run.content ?? ""}`);
}
