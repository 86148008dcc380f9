// Helpers shared by the nested human-in-the-loop scenarios: pick a real or scripted model, script
// answers that tell the truth about what a tool did, and answer pauses from the command line when
// a scenario runs as a program.
import { argv } from "node:process";
import { pathToFileURL } from "node:url";
import type { Model, ModelRequest } from "kern";
import { FakeModel, type FakeScript, text } from "kern/testing";
import type { WorkflowRunOutput } from "kern/workflow";

// The OpenAI adapter (and the `openai` package under it) loads only when a key is set, so the
// offline scenarios, and `kern demo` without a key, run without `openai` installed.
const openai = process.env["OPENAI_API_KEY"] === undefined ? null : await import("kern/models/openai");

/** The real OpenAI model when OPENAI_API_KEY is set, else a scripted one playing the same part. */
export function modelFor(script: FakeScript[]): Model {
  if (openai === null || process.env["OPENAI_API_KEY"] === undefined) return new FakeModel(script);
  return new openai.OpenAIResponses({ id: process.env["KERN_MODEL"] ?? "gpt-5.4" });
}

/** The result of the tool call the model is answering, or null when its last message is not one. */
export function lastToolResult(request: ModelRequest): string | null {
  const last = request.messages.at(-1);
  return last?.role === "tool" ? last.content : null;
}

/**
 * The scripted turn after a tool call, decided from the tool's result as a real model would: `done`
 * when the result shows the tool ran (it matches `ran`), else `notDone`. A rejected call is never
 * run (kern tells the model so), and the script then says so instead of claiming it happened.
 */
export function reportAfterTool(
  ran: RegExp,
  done: string | ((request: ModelRequest) => string),
  notDone: string,
): FakeScript {
  return (request) => {
    if (!ran.test(lastToolResult(request) ?? "")) return text(notDone);
    return text(typeof done === "string" ? done : done(request));
  };
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
    const calls = active.executorRequirements.map(
      (call) => `${call.toolExecution.toolName}(${JSON.stringify(call.toolExecution.toolArgs)})`,
    );
    return `[executor] ${active.executorName ?? "agent"} wants to call ${calls.join(", ")}`;
  }
  return `[${active.kind}] ${active.stepType} '${active.stepName}': ${active.message ?? ""}`;
}
