import type { FrameOf, OnReject, StepRequirementState, StepType } from "../../runs/index.js";
import { deadlineOutcome, decidedByDeadline } from "../../runs/index.js";
import { type Outcome, skippedOutput } from "./context.js";

/** True when a person rejected the requirement, or its deadline did (`then: "reject"`). */
export function isRejected(requirement: StepRequirementState): boolean {
  if (!("decision" in requirement)) return false;
  if (requirement.decision?.type === "reject") return true;
  return (
    requirement.decision?.type === "timeout" && "timeout" in requirement && deadlineOutcome(requirement) === "reject"
  );
}

/**
 * What a passed deadline decided, when `onTimeout` (not a person) resolved the requirement:
 * "skip" or "cancel"; null when the component goes on as approved, or (for "reject") as rejected.
 * For an executor pause: "cancel" when a tool call's deadline cancels the run.
 */
export function timeoutDecision(requirement: StepRequirementState): "skip" | "cancel" | null {
  if (requirement.kind === "executor") {
    const calls = requirement.calls.map((call) => call.requirement);
    return calls.some((call) => decidedByDeadline(call) && deadlineOutcome(call) === "cancel") ? "cancel" : null;
  }
  if (!("timeout" in requirement) || requirement.decision?.type !== "timeout") return null;
  const onTimeout = requirement.timeout?.onTimeout ?? "cancel";
  if (onTimeout === "approve") {
    // Nobody can approve on a person's behalf what only a person can supply: values or a route.
    return requirement.kind === "userInput" || requirement.kind === "route" ? "skip" : null;
  }
  if (onTimeout === "reject") return null;
  // A deadline that escalates never decides; should one have, the run fails safe.
  return typeof onTimeout === "string" ? onTimeout : "cancel";
}

/** Follows `onReject` for a rejected gate before the component ran. */
export function rejectOutcome(
  component: { name: string; onReject: OnReject },
  stepType: StepType,
  requirement: StepRequirementState,
): Outcome {
  const feedback =
    "decision" in requirement && requirement.decision?.type === "reject" ? requirement.decision.feedback : null;
  if (component.onReject === "cancel") {
    return {
      type: "cancelled",
      reason: `${stepType} '${component.name}' was rejected${feedback === null ? "" : ` (${feedback})`}; the run is cancelled.`,
    };
  }
  return { type: "done", output: skippedOutput(component.name, stepType, feedback) };
}

/** The content a review keeps: the edit when there is one, else the output's own; null when not approved. */
function approvedContent(requirement: StepRequirementState, content: string | null): { content: string | null } | null {
  if (!("decision" in requirement)) return null;
  const decision = requirement.decision;
  if (decision?.type === "edit") return { content: decision.output };
  const approvedByDeadline =
    decision?.type === "timeout" && "timeout" in requirement && requirement.timeout?.onTimeout === "approve";
  if (decision?.type === "confirm" || approvedByDeadline) return { content };
  return null;
}

/**
 * Applies an output-review decision: keep (or take the edit), or follow `onReject`. Returns
 * "retry" when the component must run again with the feedback, within its retry cap.
 */
export function applyReview(
  component: { name: string; stepType: StepType; onReject: OnReject; hitlMaxRetries: number },
  frame: FrameOf<"Step" | "Router">,
  requirement: StepRequirementState,
): Outcome | "retry" {
  const output = frame.output ?? ("output" in requirement ? requirement.output : null);
  const approved = output === null ? null : approvedContent(requirement, output.content);
  if (approved !== null && output !== null) return { type: "done", output: { ...output, content: approved.content } };
  if (component.onReject !== "retry") return rejectOutcome(component, component.stepType, requirement);
  if (frame.retryCount >= component.hitlMaxRetries) {
    return {
      type: "cancelled",
      reason: `${component.stepType} '${component.name}' was rejected after ${frame.retryCount} retr${frame.retryCount === 1 ? "y" : "ies"} (hitlMaxRetries: ${component.hitlMaxRetries}); the run is cancelled.`,
    };
  }
  frame.retryCount += 1;
  const feedback =
    "decision" in requirement && requirement.decision?.type === "reject" ? requirement.decision.feedback : null;
  frame.additionalData = {
    ...(frame.additionalData ?? {}),
    feedback: feedback ?? "",
    previousOutput: output?.content ?? null,
  };
  frame.output = null;
  return "retry";
}

/** The content an approved iteration review keeps: the edit, or null to keep the iteration's own. */
export function editedContent(requirement: StepRequirementState): string | null {
  return "decision" in requirement && requirement.decision?.type === "edit" ? requirement.decision.output : null;
}

/** True when the review was approved (confirmed, edited, or approved by its deadline). */
export function isApproved(requirement: StepRequirementState): boolean {
  return approvedContent(requirement, null) !== null;
}
