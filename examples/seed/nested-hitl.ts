// The seed example (SPEC 1.1), exactly as a user writes it. It talks to OpenAI through
// OpenAIResponses (OPENAI_API_KEY, and OPENAI_BASE_URL for any compatible endpoint) and keeps
// its runs in ./workflow.db.

import { Agent } from "kern/agent";
import { SqliteDb } from "kern/db/sqlite";
import { OpenAIResponses } from "kern/models/openai";
import { tool } from "kern/tools";
import { Step, Workflow } from "kern/workflow";
import { z } from "zod";

const sendAlert = tool({
  name: "send_alert",
  description: "Send a weather alert for a city.",
  parameters: z.object({ city: z.string(), message: z.string() }),
  requiresConfirmation: true,
  execute: ({ city, message }) => `Alert sent for ${city}: ${message}`,
});

const alertAgent = new Agent({
  name: "AlertAgent",
  model: new OpenAIResponses({ id: "gpt-5.4" }),
  tools: [sendAlert],
  db: new SqliteDb({ dbFile: "workflow.db" }),
});

const workflow = new Workflow({
  name: "DualConfirmation",
  db: new SqliteDb({ dbFile: "workflow.db" }),
  steps: [
    new Step({
      name: "send_alert",
      agent: alertAgent,
      requiresConfirmation: true,
      confirmationMessage: "Proceed with sending the alert?",
    }),
  ],
});

let runOutput = await workflow.run("Send a weather alert for Tokyo about heavy rain");
while (runOutput.isPaused) {
  const active = (runOutput.stepRequirements ?? []).slice(-1);
  if (active.some((r) => r.requiresExecutorInput)) {
    for (const r of active) for (const e of r.executorRequirements ?? []) e.confirm();
  } else {
    for (const r of active) if (r.requiresConfirmation && !r.requiresExecutorInput) r.confirm();
  }
  runOutput = await workflow.continueRun(runOutput);
}
console.log(runOutput.content);
