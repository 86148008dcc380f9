// The agent half of the seed example, without a workflow: AlertAgent calls the gated tool
// `send_alert`, the run pauses and is stored in SQLite, a human decides, and the run continues
// from the store. (`npm run demo` runs the whole seed workflow through the kern CLI.)
//
//   node --conditions=kern-source --import tsx examples/agents/send-alert.ts             # asks you (needs a terminal)
//   node --conditions=kern-source --import tsx examples/agents/send-alert.ts --approve   # approves, no terminal needed
//   node --conditions=kern-source --import tsx examples/agents/send-alert.ts --reject    # rejects
//
// Offline it runs on a scripted model; with OPENAI_API_KEY set it uses OpenAIResponses.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { Agent, type RunRequirement } from "kern/agent";
import { SqliteDb } from "kern/db/sqlite";
import { OpenAIResponses } from "kern/models/openai";
import { FakeModel, text, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { z } from "zod";

const flags = new Set(process.argv.slice(2));
const decision = flags.has("--approve") ? "approve" : flags.has("--reject") ? "reject" : undefined;
if (decision === undefined && !process.stdin.isTTY) {
  console.error("stdin is not a terminal: pass --approve or --reject to answer every pause.");
  process.exit(2);
}

const sendAlert = tool({
  name: "send_alert",
  description: "Send a weather alert for a city.",
  parameters: z.object({ city: z.string(), message: z.string() }),
  requiresConfirmation: true,
  execute: ({ city, message }) => `Alert sent for ${city}: ${message}`,
});

const online = process.env["OPENAI_API_KEY"] !== undefined;
const model = online
  ? new OpenAIResponses({ id: process.env["KERN_MODEL"] ?? "gpt-5.4" })
  : new FakeModel([
      toolCall("send_alert", { city: "Tokyo", message: "Heavy rain expected this evening." }),
      (request) => {
        const last = request.messages.at(-1);
        const result = last?.role === "tool" ? last.content : "";
        return text(result.startsWith("Alert sent") ? `Done: ${result}` : "I did not send the alert, as you asked.");
      },
    ]);
console.log(
  online ? `Using OpenAIResponses (${model.id}).` : "No OPENAI_API_KEY: running offline on a scripted model.",
);

const dbFile = join(mkdtempSync(join(tmpdir(), "kern-demo-")), "workflow.db");
const makeAgent = (): Agent =>
  new Agent({ name: "AlertAgent", model, tools: [sendAlert], db: new SqliteDb({ dbFile }) });

async function decide(requirement: RunRequirement): Promise<void> {
  const { toolName, toolArgs } = requirement.toolExecution;
  console.log(`\nPaused: AlertAgent wants to call ${toolName} with ${JSON.stringify(toolArgs)}`);
  if (decision !== undefined) {
    console.log(`  → ${decision} (from the command line)`);
    return decision === "approve" ? requirement.confirm() : requirement.reject("Rejected from the command line.");
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  const answer = (await prompt.question("  Approve this call? [y/n] ")).trim().toLowerCase();
  if (answer.startsWith("y")) {
    requirement.confirm();
  } else {
    requirement.reject((await prompt.question("  Note for the agent (optional): ")) || undefined);
  }
  prompt.close();
}

let run = await makeAgent().run("Send a weather alert for Tokyo about heavy rain");
while (run.isPaused) {
  for (const requirement of run.activeRequirements) await decide(requirement);
  // A fresh agent object continues from the stored run, as another process would.
  run = await makeAgent().continueRun(run);
}
console.log(`\n${run.status}: ${run.content ?? ""}`);
