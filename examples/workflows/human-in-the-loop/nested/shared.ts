// Helpers shared by the nested human-in-the-loop scenarios: pick a real or scripted model, and
// answer pauses from the command line when a scenario runs as a program.
import { argv } from "node:process";
import { pathToFileURL } from "node:url";
import type { Model } from "kern";
import { OpenAIResponses } from "kern/models/openai";
import { FakeModel, type FakeScript } from "kern/testing";
import type { WorkflowRunOutput } from "kern/workflow";

/** The real OpenAI model when OPENAI_API_KEY is set, else a scripted one playing the same part. */
export function modelFor(script: FakeScript[]): Model {
  if (process.env["OPENAI_API_KEY"] !== undefined) return new OpenAIResponses({ id: process.env["KERN_MODEL"] ?? "gpt-5.4" });
  return new FakeModel(script);
}

/** True when the module at `url` is the program being run (not imported by a test). */
export function isMain(url: string): boolean {
  return argv[1] !== undefined && pathToFileURL(argv[1]).href === url;
}

/** Approves every pause the way the seed's resolution loop does: the active entry only. */
export function approveActive(run: WorkflowRunOutput): void {
  for (const requirement of run.stepRequirements.slice(-1)) {
    if (requirement.requiresExecutorInput) {
      for (const call of requirement.executorRequirements) call.confirm();
    } else if (requirement.requiresConfirmation) {
      requirement.confirm();
    }
  }
}

/** Prints one line describing the active pause. */
export function describePause(run: WorkflowRunOutput): string {
  const active = run.stepRequirements.at(-1);
  if (active === undefined) return "(no pause)";
  if (active.requiresExecutorInput) {
    const calls = active.executorRequirements.map((call) => `${call.toolExecution.toolName}(${JSON.stringify(call.toolExecution.toolArgs)})`);
    return `[executor] ${active.executorName ?? "agent"} wants to call ${calls.join(", ")}`;
  }
  return `[${active.kind}] ${active.stepType} '${active.stepName}': ${active.message ?? ""}`;
}
