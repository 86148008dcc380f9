import type { ToolDecision as CallDecision } from "../runs/index.js";
import type { WorkflowRunOutput } from "../workflow/index.js";
import type { PauseQuestion } from "./pause-question.js";

/** A person's answer to one tool call of an executor pause. */
export interface ToolDecision {
  requirementId: string;
  toolName: string;
  decision: CallDecision;
}

/**
 * A person's answer to one workflow pause, as plain data: the terminal prompts produce it, the
 * `--approve` / `--reject` flags produce it, and a web inbox can send the same thing.
 */
export type PauseDecision =
  | { type: "confirm" }
  | { type: "reject"; feedback: string | null }
  | { type: "userInput"; values: Record<string, unknown> }
  | { type: "select"; choices: string[] }
  | { type: "edit"; output: string }
  | { type: "retry" }
  | { type: "skip" }
  | { type: "tools"; calls: ToolDecision[] };

/** Something that answers pauses: the terminal prompts, or the command-line flags. */
export interface PauseAsker {
  /** Who decides, for the progress line: "you" or "--approve". */
  readonly who: string;
  /** The decision, or null to leave the run paused (the person cancelled). */
  ask(question: PauseQuestion): Promise<PauseDecision | null>;
  /** Values given in advance (`--set`) that no pause has used so far. */
  unused?(): string[];
}

/**
 * Applies a decision to the requirement the question was about (`requirementId`; a run paused in
 * Parallel branches waits on several), else to the run's active one (the last entry).
 */
export function applyDecision(run: WorkflowRunOutput, decision: PauseDecision, requirementId?: string): void {
  const asked = run.stepRequirements.find((entry) => entry.id === requirementId);
  const active = asked ?? run.stepRequirements.at(-1);
  if (active === undefined) throw new Error(`Run ${run.runId} has no pause to answer.`);
  switch (decision.type) {
    case "confirm":
      return active.confirm();
    case "reject":
      return active.reject(decision.feedback ?? undefined);
    case "userInput":
      return active.setUserInput(decision.values);
    case "select":
      return active.select(...decision.choices);
    case "edit":
      return active.edit(decision.output);
    case "retry":
      return active.retry();
    case "skip":
      return active.skip();
    case "tools":
      for (const call of decision.calls) {
        const requirement = active.executorRequirements.find((entry) => entry.id === call.requirementId);
        if (requirement === undefined)
          throw new Error(`Tool call ${call.requirementId} is not waiting in step '${active.stepName}'.`);
        requirement.applyDecision(call.decision);
      }
      return;
    default: {
      const unreachable: never = decision;
      throw new Error(`Unknown decision ${JSON.stringify(unreachable)}`);
    }
  }
}

function describeResolution(call: ToolDecision): string {
  const decision = call.decision;
  switch (decision.type) {
    case "confirm":
      return `approved ${call.toolName}`;
    case "reject":
      return `rejected ${call.toolName}${decision.feedback === null ? "" : ` (note: ${decision.feedback})`}`;
    case "input":
      return `gave ${call.toolName} ${JSON.stringify(decision.values)}`;
    case "result":
      return `reported ${call.toolName}'s result`;
    case "timeout":
      return `let ${call.toolName}'s deadline decide`;
    default: {
      const unreachable: never = decision;
      return String(unreachable);
    }
  }
}

/** The decision in a few words, e.g. "approved send_alert" or "rejected (feedback: too early)". */
export function describeDecision(decision: PauseDecision): string {
  switch (decision.type) {
    case "confirm":
      return "approved";
    case "reject":
      return decision.feedback === null ? "rejected" : `rejected (feedback: ${decision.feedback})`;
    case "userInput":
      return `answered ${JSON.stringify(decision.values)}`;
    case "select":
      return `chose ${decision.choices.join(", ")}`;
    case "edit":
      return "edited the output";
    case "retry":
      return "retry";
    case "skip":
      return "skip";
    case "tools":
      return decision.calls.map(describeResolution).join("; ");
    default: {
      const unreachable: never = decision;
      return String(unreachable);
    }
  }
}
