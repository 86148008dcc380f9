import type { Frame, OnReject, OnTimeout, StepRequirementState, StepType } from "../../runs/index.js";
import { skippedOutput, type Outcome } from "./context.js";

/** Sets the deadline of a gate that has `hitlTimeout` (seconds). */
export function withTimeout(requirement: StepRequirementState, seconds: number | undefined, onTimeout: OnTimeout | null): void {
  if (seconds === undefined) return;
  requirement.timeoutAt = Date.now() + seconds * 1000;
  requirement.onTimeout = onTimeout ?? "cancel";
}

/** What a passed deadline decided, when `onTimeout` (not a human) resolved the requirement. */
export function timeoutDecision(requirement: StepRequirementState): "skip" | "cancel" | null {
  if (!requirement.timedOut) return null;
  if (requirement.onTimeout === "approve") {
    // Nobody can approve on a human's behalf what only a human can supply: values or a route.
    return requirement.kind === "userInput" || requirement.kind === "route" ? "skip" : null;
  }
  return requirement.onTimeout ?? "cancel";
}

/** Follows `onReject` for a rejected gate before the component ran. */
export function rejectOutcome(component: { name: string; onReject: OnReject }, stepType: StepType, requirement: StepRequirementState): Outcome {
  if (component.onReject === "cancel") {
    const feedback = requirement.rejectionFeedback === null ? "" : ` (${requirement.rejectionFeedback})`;
    return { type: "cancelled", reason: `${stepType} '${component.name}' was rejected${feedback}; the run is cancelled.` };
  }
  return { type: "done", output: skippedOutput(component.name, stepType, requirement.rejectionFeedback) };
}

/**
 * Applies an output-review decision: keep (or take the edit), or follow `onReject`. Returns
 * "retry" when the component must run again with the feedback, within its retry cap.
 */
export function applyReview(
  component: { name: string; stepType: StepType; onReject: OnReject; hitlMaxRetries: number },
  frame: Frame,
  requirement: StepRequirementState,
): Outcome | "retry" {
  const output = frame.output ?? requirement.stepOutput;
  if (requirement.confirmed === true && output !== null) {
    const content = requirement.editedOutput ?? output.content;
    return { type: "done", output: { ...output, content } };
  }
  if (component.onReject !== "retry") return rejectOutcome(component, component.stepType, requirement);
  if (frame.retryCount >= component.hitlMaxRetries) {
    return {
      type: "cancelled",
      reason: `${component.stepType} '${component.name}' was rejected after ${frame.retryCount} retr${frame.retryCount === 1 ? "y" : "ies"} (hitlMaxRetries: ${component.hitlMaxRetries}); the run is cancelled.`,
    };
  }
  frame.retryCount += 1;
  frame.additionalData = {
    ...(frame.additionalData ?? {}),
    feedback: requirement.rejectionFeedback ?? "",
    previousOutput: output?.content ?? null,
  };
  frame.output = null;
  return "retry";
}
