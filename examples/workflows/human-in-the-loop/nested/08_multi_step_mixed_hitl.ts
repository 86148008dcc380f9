// Scenario 8: three steps mixing every kind of gate. A function step asks the human for the project,
// a confirmed agent step drafts a plan with a gated tool, and a reviewed agent step finalizes it
// with another gated tool: five pauses in all.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/08_multi_step_mixed_hitl.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.

import type { Db, Model, ModelRequest } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Step, type StepInput, Workflow } from "kern/workflow";
import { z } from "zod";
import { approveActive, describePause, isMain, modelFor, reportAfterTool } from "./shared.js";

export interface Scenario {
  workflow: Workflow;
  /** Projects a plan was really created for, one entry per create_plan execution. */
  plans: string[];
  /** Projects whose plan was really finalized, one entry per finalize_plan execution. */
  finalized: string[];
  /** Each agent's model: a FakeModel (recording every request) when offline. */
  models: { planner: Model; reviewer: Model };
}

/** The project name in the first user message ("Project: <name>" on a line of its own). */
export function projectNamed(request: ModelRequest): string {
  const first = request.messages.find((message) => message.role === "user");
  return /^Project: (.+)$/m.exec(first?.content ?? "")?.[1] ?? "unknown";
}

/** The scripted models' parts: each agent reads the project name from what it was told, and its tool's result. */
export const scripts: { planner: FakeScript[]; reviewer: FakeScript[] } = {
  planner: [
    (request) =>
      toolCall("create_plan", { project_name: projectNamed(request), milestones: ["design", "build", "launch"] }),
    reportAfterTool(
      /^Plan for .* created/,
      (request) => `Project: ${projectNamed(request)}\nPlan: design, build, launch.`,
      "I did not create a plan: creating it was rejected.",
    ),
  ],
  reviewer: [
    (request) => toolCall("finalize_plan", { project_name: projectNamed(request) }),
    reportAfterTool(
      / finalized\.$/,
      (request) => `Final plan for ${projectNamed(request)}: design, build, launch. Finalized.`,
      "I did not finalize the plan: finalizing it was rejected.",
    ),
  ],
};

/** What the human answers at the user-input pause when the scenario runs as a program. */
export const answers = { project_name: "Atlas", scope: "Mobile app MVP" };

function gatherRequirements(input: StepInput): string {
  const values = z.object({ project_name: z.string(), scope: z.string() }).parse(input.additionalData["userInput"]);
  return `Project: ${values.project_name}\nScope: ${values.scope}`;
}

export function build(options: { db?: Db; scripts?: Partial<typeof scripts> } = {}): Scenario {
  const plans: string[] = [];
  const finalized: string[] = [];
  const db = options.db ?? new InMemoryDb();
  const models = {
    planner: modelFor(options.scripts?.planner ?? scripts.planner),
    reviewer: modelFor(options.scripts?.reviewer ?? scripts.reviewer),
  };
  const createPlan = tool({
    name: "create_plan",
    description: "Create a project plan from milestones.",
    parameters: z.object({ project_name: z.string(), milestones: z.array(z.string()) }),
    requiresConfirmation: true,
    execute: ({ project_name, milestones }) => {
      plans.push(project_name);
      return `Plan for ${project_name} created: ${milestones.join(", ")}.`;
    },
  });
  const finalizePlan = tool({
    name: "finalize_plan",
    description: "Mark a project's plan as final.",
    parameters: z.object({ project_name: z.string() }),
    requiresConfirmation: true,
    execute: ({ project_name }) => {
      finalized.push(project_name);
      return `Plan for ${project_name} finalized.`;
    },
  });
  const planner = new Agent({
    name: "PlannerAgent",
    instructions:
      "Create a plan for the project you are given with create_plan. Then answer 'Project: <name>' on the first line and the plan on the second.",
    model: models.planner,
    tools: [createPlan],
    db,
  });
  const reviewer = new Agent({
    name: "ReviewerAgent",
    instructions:
      "Review the plan you are given and finalize it with finalize_plan, then state the final plan in one sentence.",
    model: models.reviewer,
    tools: [finalizePlan],
    db,
  });
  const workflow = new Workflow({
    name: "ProjectPlanning",
    db,
    steps: [
      new Step({
        name: "gather_requirements",
        executor: gatherRequirements,
        userInputMessage: "Which project, and what is in scope?",
        userInputSchema: [
          { name: "project_name", type: "string", description: "The project's name" },
          { name: "scope", type: "string", description: "What the plan must cover" },
        ],
      }),
      new Step({
        name: "generate_plan",
        agent: planner,
        requiresConfirmation: true,
        confirmationMessage: "Generate a plan for this project?",
      }),
      new Step({
        name: "review_plan",
        agent: reviewer,
        requiresOutputReview: true,
        outputReviewMessage: "Accept the reviewed plan?",
      }),
    ],
  });
  return { workflow, plans, finalized, models };
}

if (isMain(import.meta.url)) {
  const { workflow } = build();
  let run = await workflow.run("Plan a new project.");
  while (run.isPaused) {
    const active = run.stepsRequiringUserInput[0];
    if (active !== undefined) {
      console.log(describePause(run), `→ ${JSON.stringify(answers)}`);
      active.setUserInput(answers);
    } else {
      console.log(describePause(run), "→ approve");
      approveActive(run);
    }
    run = await workflow.continueRun(run);
  }
  console.log(`${run.status}: ${run.content ?? ""}`);
}
