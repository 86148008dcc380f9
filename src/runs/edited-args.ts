import { InvalidResolutionError } from "../errors.js";
import type { ToolDecision, ToolExecutionState } from "./agent-run-state.js";
import { canonicalJson } from "./audit.js";
import { jsonDataProblem } from "./check-input.js";

/**
 * Approving a tool call with edited arguments (`confirm({ args })`): the checks the arguments pass
 * before anything is stored, what the decisions table records, and what the model is told. Shared
 * by agents and by workflows (whose executor pauses decide their step agent's calls).
 */

/** What the checks need of a tool (a `Tool` is one). */
export interface ArgsChecker {
  readonly name: string;
  readonly editableArgs: boolean;
  checkArguments(raw: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };
}

/** What the checks need of a decided tool call (a `RunRequirement` is one). */
export interface EditableCall {
  readonly id: string;
  readonly description: string;
  readonly decision: Readonly<ToolDecision> | null;
  readonly toolExecution: {
    readonly toolName: string;
    readonly toolArgs: Readonly<Record<string, unknown>>;
    readonly editableArgs: boolean;
  };
  applyDecision(decision: ToolDecision): void;
}

/** Why edits to this call are refused, or null when they may be made. */
function editRefusal(requirement: EditableCall, tool: ArgsChecker | undefined): string | null {
  const name = requirement.toolExecution.toolName;
  if (tool === undefined) return `tool '${name}' is no longer defined, so its schema cannot check them`;
  if (!tool.editableArgs || !requirement.toolExecution.editableArgs)
    return `tool '${name}' does not allow edited arguments (editableArgs: false)`;
  return null;
}

/**
 * Checks the edited arguments of a `confirm` decision on `requirement` against its tool's full
 * schema (refinements and `validate` included), before anything is claimed or stored: throws
 * InvalidResolutionError saying what is wrong. Stores the arguments as the schema parses them;
 * arguments equal to the proposed ones are a plain approval, so nobody is told of an edit that
 * changed nothing. Any other decision passes unchecked.
 */
export function checkEditedArgs(requirement: EditableCall, tool: ArgsChecker | undefined): void {
  const decision = requirement.decision;
  if (decision?.type !== "confirm" || decision.args === undefined) return;
  const refused = editRefusal(requirement, tool);
  if (refused !== null || tool === undefined) {
    throw new InvalidResolutionError(
      requirement.id,
      `${requirement.description} cannot be approved with edited arguments: ${refused}. Approve it as proposed ({"type":"confirm"}) or reject it. Nothing was changed.`,
    );
  }
  const problem = jsonDataProblem(decision.args);
  const checked = problem === null ? tool.checkArguments(decision.args) : { ok: false as const, problem };
  if (!checked.ok) {
    throw new InvalidResolutionError(
      requirement.id,
      `The edited arguments for ${requirement.description} are invalid: ${checked.problem}. Nothing was changed.`,
    );
  }
  const unchanged = canonicalJson(checked.value) === canonicalJson(requirement.toolExecution.toolArgs);
  requirement.applyDecision(unchanged ? { type: "confirm" } : { type: "confirm", args: checked.value });
}

/**
 * The decision as the decisions table records it: an approval with edited arguments (`args`)
 * also records the arguments the person was shown (`proposedArgs`).
 */
export function auditedDecision(
  decision: Readonly<ToolDecision> | null,
  shownArgs: Readonly<Record<string, unknown>>,
): unknown {
  return decision?.type === "confirm" && decision.args !== undefined
    ? { ...decision, proposedArgs: shownArgs }
    : decision;
}

/**
 * What the model reads before the result of a call a person approved with edited arguments:
 * the arguments it ran with, so the model does not go on believing its own were used.
 */
export function editedArgsNote(execution: Readonly<ToolExecutionState>): string {
  return execution.proposedArgs === null
    ? ""
    : `Approved with edited arguments: ${JSON.stringify(execution.toolArgs)}. `;
}

/** Sets an approved call to run with the person's arguments, keeping the model's proposal beside them. */
export function useEditedArgs(execution: ToolExecutionState, decision: Readonly<ToolDecision>): void {
  if (decision.type !== "confirm" || decision.args === undefined) return;
  // A call asked about again (its tool's definition changed) keeps the model's first proposal.
  execution.proposedArgs ??= execution.toolArgs;
  execution.toolArgs = { ...decision.args };
}
