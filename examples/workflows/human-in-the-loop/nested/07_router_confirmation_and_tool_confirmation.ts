// Scenario 7: a Router confirmed before it runs; its selector then picks the restart or the scale
// route from the input, and that route's own agent calls its own gated tool.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/07_router_confirmation_and_tool_confirmation.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.

import type { Db, Model } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Router, Step, type StepInput, Workflow } from "kern/workflow";
import { z } from "zod";
import { approveActive, describePause, isMain, modelFor, reportAfterTool } from "./shared.js";

export interface Scenario {
  workflow: Workflow;
  /** Services really restarted, one entry per restart_service execution. */
  restarted: string[];
  /** Scalings really applied ("service=replicas"), one entry per scale_service execution. */
  scaled: string[];
  /** Each route's model: a FakeModel (recording every request) when offline. */
  models: { restart: Model; scale: Model };
}

/** The scripted models' parts: each route's agent calls its tool, then reports whether it ran. */
export const scripts: { restart: FakeScript[]; scale: FakeScript[] } = {
  restart: [
    toolCall("restart_service", { service: "checkout" }),
    reportAfterTool(/^Restarted /, "Restarted checkout.", "I did not restart checkout: the restart was rejected."),
  ],
  scale: [
    toolCall("scale_service", { service: "checkout", replicas: 5 }),
    reportAfterTool(/^Scaled /, "Scaled checkout to 5 replicas.", "I did not scale checkout: the change was rejected."),
  ],
};

/** Picks the route from the request text: scaling words go to `scale`, everything else to `restart`. */
export function selectRoute(input: StepInput): "restart" | "scale" {
  return /\b(scale|replicas?)\b/i.test(input.input) ? "scale" : "restart";
}

export function build(options: { db?: Db; scripts?: Partial<typeof scripts> } = {}): Scenario {
  const restarted: string[] = [];
  const scaled: string[] = [];
  const db = options.db ?? new InMemoryDb();
  const models = {
    restart: modelFor(options.scripts?.restart ?? scripts.restart),
    scale: modelFor(options.scripts?.scale ?? scripts.scale),
  };
  const restartService = tool({
    name: "restart_service",
    description: "Restart a production service.",
    parameters: z.object({ service: z.string() }),
    requiresConfirmation: true,
    execute: ({ service }) => {
      restarted.push(service);
      return `Restarted ${service}.`;
    },
  });
  const scaleService = tool({
    name: "scale_service",
    description: "Set the number of replicas of a production service.",
    parameters: z.object({ service: z.string(), replicas: z.number().int() }),
    requiresConfirmation: true,
    execute: ({ service, replicas }) => {
      scaled.push(`${service}=${replicas}`);
      return `Scaled ${service} to ${replicas} replicas.`;
    },
  });
  const restartAgent = new Agent({
    name: "RestartAgent",
    instructions:
      "You restart the service the operator names with restart_service, then say what you did in one sentence.",
    model: models.restart,
    tools: [restartService],
    db,
  });
  const scaleAgent = new Agent({
    name: "ScaleAgent",
    instructions: "You scale the service the operator names with scale_service, then say what you did in one sentence.",
    model: models.scale,
    tools: [scaleService],
    db,
  });
  const workflow = new Workflow({
    name: "OpsRouting",
    db,
    steps: [
      new Router({
        name: "ops_router",
        requiresConfirmation: true,
        confirmationMessage: "Run an operations action on production?",
        selector: selectRoute,
        choices: [new Step({ name: "restart", agent: restartAgent }), new Step({ name: "scale", agent: scaleAgent })],
      }),
    ],
  });
  return { workflow, restarted, scaled, models };
}

if (isMain(import.meta.url)) {
  for (const request of ["Restart the checkout service, it is stuck.", "Scale the checkout service to 5 replicas."]) {
    const { workflow } = build();
    console.log(`> ${request}`);
    let run = await workflow.run(request);
    while (run.isPaused) {
      console.log(describePause(run), "→ approve");
      approveActive(run);
      run = await workflow.continueRun(run);
    }
    console.log(`${run.status}: ${run.content ?? ""}`);
  }
}
