// Scenario 13: a workflow step whose agent calls a sub-agent whose tool is gated. Step "respond"
// asks for confirmation, then runs the Coordinator, which hands the paging to the Notifier agent
// through `notifier.asTool()`. The Notifier's page_oncall call pauses the whole workflow run, with
// a path naming both agents and the tool (Coordinator › Notifier › page_oncall). The first page
// (to the wrong team) is rejected with a note; the Coordinator reads the Notifier's answer and
// retries with the team the note names; that page is approved and runs exactly once. Every model
// call is made once: continuing resumes each agent where it stopped.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/13_sub_agent_tool_retry.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.

import type { Db, Model, ModelRequest } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, text, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Step, Workflow, type WorkflowRunOutput } from "kern/workflow";
import { z } from "zod";
import { isMain, lastToolResult, modelFor } from "./shared.js";

export const input = "The orders database is down since 09:12.";

export interface Scenario {
  workflow: Workflow;
  /** Teams really paged, one entry per execution of page_oncall. */
  paged: string[];
  /** The agents' models: FakeModels (recording every request) when offline. */
  models: { coordinator: Model; notifier: Model };
}

/** The team a task or a rejection note names: "platform" when it says so, else "database". */
function teamIn(words: string): string {
  return /platform/i.test(words) ? "platform" : "database";
}

/** The task the Coordinator gave the Notifier (the sub-run's user message). */
function taskOf(request: ModelRequest): string {
  const first = request.messages[0];
  return first?.role === "user" ? first.content : "";
}

/** The Notifier's part: page the team its task names, then say whether the page went out. */
const notifierTurn: FakeScript = (request) => {
  const result = lastToolResult(request);
  const team = teamIn(taskOf(request));
  if (result === null) return toolCall("page_oncall", { team, message: "Orders database down since 09:12." });
  if (result.startsWith("Paged")) return text(`Paged the ${team} team.`);
  return text(`I did not page the ${team} team: ${result}`);
};

/** The Coordinator's part: have the Notifier page a team; after a rejection, page the team the note names. */
const coordinatorTurn: FakeScript = (request) => {
  const result = lastToolResult(request);
  if (result === null) return toolCall("notify_team", { input: "Page the database team about the outage." });
  if (result.startsWith("Paged")) return text(`Incident handled: ${result}`);
  return toolCall("notify_team", { input: `Page the ${teamIn(result)} team about the outage.` });
};

/** Enough turns for many runs in one process. */
export const scripts = {
  coordinator: Array.from({ length: 32 }, () => coordinatorTurn),
  notifier: Array.from({ length: 32 }, () => notifierTurn),
};

export function build(options: { db?: Db; scripts?: typeof scripts } = {}): Scenario {
  const paged: string[] = [];
  const db = options.db ?? new InMemoryDb();
  const models = {
    coordinator: modelFor(options.scripts?.coordinator ?? scripts.coordinator),
    notifier: modelFor(options.scripts?.notifier ?? scripts.notifier),
  };
  const pageOncall = tool({
    name: "page_oncall",
    description: "Page the on-call engineer of a team.",
    parameters: z.object({ team: z.string(), message: z.string() }),
    requiresConfirmation: true,
    execute: ({ team, message }) => {
      paged.push(team);
      return `Paged ${team}: ${message}`;
    },
  });
  const notifier = new Agent({
    name: "Notifier",
    description: "Pages the on-call engineer of a team.",
    instructions: "You page on-call engineers with page_oncall, then say in one sentence whom you paged.",
    model: models.notifier,
    tools: [pageOncall],
  });
  const coordinator = new Agent({
    name: "Coordinator",
    instructions:
      "You coordinate incident response. Ask notify_team to page the team that owns the broken system. " +
      "If the page is rejected, read why and page the right team. Then report in one sentence.",
    model: models.coordinator,
    tools: [notifier.asTool({ name: "notify_team", description: "Ask the Notifier to page a team's on-call." })],
    db,
  });
  const workflow = new Workflow({
    name: "IncidentResponse",
    db,
    steps: [
      new Step({
        name: "respond",
        agent: coordinator,
        requiresConfirmation: true,
        confirmationMessage: "Start the incident response?",
      }),
      new Step({ name: "postmortem", executor: (step) => `Postmortem scheduled. ${step.previousStepContent ?? ""}` }),
    ],
  });
  return { workflow, paged, models };
}

/** One line for the pause a run waits at: its breadcrumb, and the tool call with its arguments. */
export function describeWaiting(run: WorkflowRunOutput): string {
  const active = run.activeStepRequirements[0];
  if (active === undefined) return `${run.status}: ${run.content ?? ""}`;
  const where = [run.workflowName, ...active.path];
  if (!active.requiresExecutorInput) return `[${active.kind}] ${where.join(" › ")}: ${active.message ?? ""}`;
  return active.executorRequirements
    .map((call) => `[executor] ${[...where, ...call.path].join(" › ")}(${JSON.stringify(call.toolExecution.toolArgs)})`)
    .join("\n");
}

if (isMain(import.meta.url)) {
  const { workflow, paged } = build();
  let run = await workflow.run(input);
  let pages = 0;
  while (run.isPaused) {
    console.log(describeWaiting(run));
    const active = run.activeStepRequirements[0];
    if (active?.requiresExecutorInput) {
      pages += 1;
      for (const call of active.executorRequirements) {
        if (pages === 1) {
          console.log("→ reject: wrong team, the platform team owns the orders database");
          call.reject("Wrong team: the platform team owns the orders database.");
        } else {
          console.log("→ approve");
          call.confirm();
        }
      }
    } else {
      console.log("→ approve");
      active?.confirm();
    }
    run = await workflow.continueRun(run);
  }
  console.log(`${run.status}: ${run.content ?? ""}`);
  console.log(`teams paged: ${paged.join(", ") || "none"}`);
}
