import type { Frame, OnReject, StepRequirementState, StepType, TimeoutRule } from "../../runs/index.js";
import { startDeadline } from "../../runs/index.js";
import { type EngineContext, type Outcome, pause, skippedOutput, takeResolved } from "./context.js";
import { isRejected, timeoutDecision } from "./decisions.js";
import { confirmationRequirement } from "./requirements.js";

interface Confirmable {
  name: string;
  stepType: StepType;
  confirmationMessage: string | null;
  onReject: OnReject;
  timeout: TimeoutRule | null;
}

/** Pauses a composite before it runs, asking for confirmation. */
export function pauseForConfirmation(
  component: Confirmable,
  context: EngineContext,
  path: readonly number[],
  frame: Frame,
): Outcome {
  frame.phase = "confirm";
  const requirement = confirmationRequirement(component, path, {
    message: component.confirmationMessage,
    onReject: component.onReject,
    timeout: startDeadline(component.timeout, context.now()),
  });
  return pause(context, requirement, frame);
}

/** Reads the decided confirmation: "confirmed", "rejected", or the outcome a timeout forced. */
export function takeConfirmation(
  component: Confirmable,
  context: EngineContext,
): "confirmed" | { rejected: StepRequirementState } | Outcome {
  const requirement = takeResolved(context);
  const timeout = timeoutDecision(requirement);
  if (timeout === "cancel")
    return { type: "cancelled", reason: `${component.stepType} '${component.name}' timed out waiting for a human.` };
  if (timeout === "skip")
    return { type: "done", output: skippedOutput(component.name, component.stepType, "timed out") };
  return isRejected(requirement) ? { rejected: requirement } : "confirmed";
}
