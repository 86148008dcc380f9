// Scenario 1: a Step gated before it runs, whose agent then calls a gated tool.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/01_step_confirmation_and_tool_confirmation.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.

import type { Db, Model } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Step, Workflow } from "kern/workflow";
import { z } from "zod";
import { approveActive, describePause, isMain, modelFor, reportAfterTool } from "./shared.js";

export interface Scenario {
  workflow: Workflow;
  /** Cities an alert was really sent for, one entry per execution. */
  sent: string[];
  /** The agent's model: a FakeModel (recording every request) when offline. */
  model: Model;
}

/** The scripted model's part: call send_alert, then say whether the alert went out. */
export const script: FakeScript[] = [
  toolCall("send_alert", { city: "Tokyo", message: "Heavy rain expected tonight." }),
  reportAfterTool(
    /^Alert sent for Tokyo/,
    "Alert sent for Tokyo.",
    "I did not send the alert for Tokyo: the call was rejected.",
  ),
];

export function build(options: { db?: Db; script?: FakeScript[] } = {}): Scenario {
  const sent: string[] = [];
  const db = options.db ?? new InMemoryDb();
  const model = modelFor(options.script ?? script);
  const sendAlert = tool({
    name: "send_alert",
    description: "Send a weather alert for a city.",
    parameters: z.object({ city: z.string(), message: z.string() }),
    requiresConfirmation: true,
    execute: ({ city, message }) => {
      sent.push(city);
      return `Alert sent for ${city}: ${message}`;
    },
  });
  const alertAgent = new Agent({
    name: "AlertAgent",
    instructions: "You send weather alerts with the send_alert tool, then say what you did in one sentence.",
    model,
    tools: [sendAlert],
    db,
  });
  const workflow = new Workflow({
    name: "DualConfirmation",
    db,
    steps: [
      new Step({
        name: "send_alert",
        agent: alertAgent,
        requiresConfirmation: true,
        confirmationMessage: "Proceed with sending the alert?",
      }),
      new Step({ name: "log", executor: (input) => `Logged: ${input.previousStepContent ?? "nothing was sent"}` }),
    ],
  });
  return { workflow, sent, model };
}

if (isMain(import.meta.url)) {
  const { workflow } = build();
  let run = await workflow.run("Send a weather alert for Tokyo about heavy rain");
  while (run.isPaused) {
    console.log(describePause(run), "→ approve");
    approveActive(run);
    run = await workflow.continueRun(run);
  }
  console.log(`${run.status}: ${run.content ?? ""}`);
}
