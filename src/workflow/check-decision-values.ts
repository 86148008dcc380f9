import { InvalidResolutionError } from "../errors.js";
import type { StepDecision, StepRequirementState } from "../runs/index.js";
import { checkUserInputFields } from "./check-user-input.js";

/**
 * Checks the values a decision carries against its requirement: an edit's content, input
 * values against the fields, a route's choices. `what` names the call in messages.
 */
export function checkDecisionValues(state: StepRequirementState, decision: StepDecision, what: string): void {
  // A tool call's approval may carry edited arguments; a workflow gate has none to edit.
  if (decision.type === "confirm" && "args" in decision)
    throw new InvalidResolutionError(
      state.id,
      `${what} takes no "args": edited arguments fit the approval of a tool call, not the ${state.kind} gate of step '${state.stepName}'. Send {"type":"confirm"}; an executor pause's tool calls are decided under their own requirement ids.`,
    );
  if (decision.type === "edit" && typeof decision.output !== "string")
    throw new InvalidResolutionError(state.id, `${what} takes the new content as a string.`);
  if (decision.type === "input") {
    const values: unknown = decision.values;
    if (typeof values !== "object" || values === null || Array.isArray(values))
      throw new InvalidResolutionError(state.id, `${what} takes an object of field values.`);
    const problems = checkUserInputFields(decision.values, state.kind === "userInput" ? state.fields : []);
    if (problems.length > 0)
      throw new InvalidResolutionError(
        state.id,
        `User input for step '${state.stepName}' is invalid: ${problems.join("; ")}. Nothing was changed.`,
      );
  }
  if (decision.type === "select" && state.kind === "route") {
    const unknown = decision.choices.filter((choice) => !state.choices.includes(choice));
    if (decision.choices.length === 0 || unknown.length > 0) {
      throw new InvalidResolutionError(
        state.id,
        `${what} takes one or more of ${state.choices.join(", ")}${unknown.length > 0 ? `; unknown: ${unknown.join(", ")}` : ""}.`,
      );
    }
    if (decision.choices.length > 1 && !state.allowMultipleSelections) {
      throw new InvalidResolutionError(
        state.id,
        `Router '${state.stepName}' takes one choice (allowMultipleSelections is false); got ${decision.choices.join(", ")}.`,
      );
    }
  }
}
