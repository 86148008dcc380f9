import type { z } from "zod";
import { InvalidResolutionError, UnresolvedRequirementError } from "../errors.js";
import { lazyModule, type StepRequirementState, type WorkflowRunState } from "../runs/index.js";
import type * as ContinueInputSchema from "./workflow-continue-input-schema.js";
import { StepRequirement } from "./step-requirement.js";
import { WorkflowRunOutput } from "./workflow-run-output.js";

/** The second form of `continueRun`: ids plus requirement JSON (e.g. from an HTTP client). */
export interface ContinueWorkflowRef {
  runId: string;
  sessionId: string;
  stepRequirements?: unknown[];
}

const schemas = lazyModule<typeof ContinueInputSchema>(import.meta.url, "./workflow-continue-input-schema.js");
type Supplied = z.infer<typeof ContinueInputSchema.suppliedSchema>;

/** Reads what the caller passed to continueRun: the run ids and the active entry's decisions. */
export function readWorkflowContinueInput(run: WorkflowRunOutput | ContinueWorkflowRef): { runId: string; sessionId: string; supplied: unknown[] } {
  if (run instanceof WorkflowRunOutput) {
    return { runId: run.runId, sessionId: run.sessionId, supplied: run.stepRequirements.map((requirement) => requirement.toJSON()) };
  }
  const parsed = schemas().refSchema.safeParse(run);
  if (!parsed.success) {
    throw new InvalidResolutionError("(input)", "continueRun() takes a WorkflowRunOutput or { runId, sessionId, stepRequirements? }.");
  }
  return { runId: parsed.data.runId, sessionId: parsed.data.sessionId, supplied: parsed.data.stepRequirements ?? [] };
}

function applyExecutorDecisions(requirement: StepRequirement, supplied: Supplied): void {
  const byId = new Map(requirement.executorRequirements.map((entry) => [entry.id, entry]));
  for (const entry of supplied.executorRequirements ?? []) {
    const target = byId.get(entry.requirement.id);
    if (target === undefined) throw new InvalidResolutionError(entry.requirement.id, `Step '${requirement.stepName}' has no tool requirement '${entry.requirement.id}'.`);
    if (entry.requirement.resolution !== null) target.applyResolution(entry.requirement.resolution);
  }
}

/** Applies one supplied decision through the requirement's own methods, so it is validated. */
function applyDecision(requirement: StepRequirement, supplied: Supplied): void {
  if (requirement.requiresExecutorInput) return applyExecutorDecisions(requirement, supplied);
  if (requirement.requiresErrorDecision) {
    if (supplied.errorDecision === "retry") requirement.retry();
    if (supplied.errorDecision === "skip") requirement.skip();
    return;
  }
  if (supplied.confirmed === false) return requirement.reject(supplied.rejectionFeedback ?? undefined);
  if (requirement.requiresUserInput && supplied.userInput != null) return requirement.setUserInput(supplied.userInput);
  if (requirement.requiresRouteSelection && supplied.selectedChoices != null) return requirement.select(...supplied.selectedChoices);
  if (requirement.requiresOutputReview && supplied.editedOutput != null) return requirement.edit(supplied.editedOutput);
  if (requirement.requiresConfirmation && supplied.confirmed === true) requirement.confirm();
}

/**
 * Applies the caller's decisions to the active requirement of freshly loaded state (earlier
 * entries are frozen and never re-applied), then checks it is resolved, before anything runs.
 */
export function applyStepDecisions(state: WorkflowRunState, supplied: readonly unknown[], now: number): StepRequirementState {
  const active = state.stepRequirements.at(-1);
  if (active === undefined || active.frozen) {
    throw new InvalidResolutionError("(none)", `Run '${state.runId}' is paused without an active requirement; its stored state is inconsistent.`);
  }
  const requirement = new StepRequirement(active);
  for (const entry of supplied) {
    const parsed = schemas().suppliedSchema.safeParse(entry);
    if (!parsed.success) {
      throw new InvalidResolutionError("(input)", `A supplied step requirement is malformed: ${parsed.error.issues[0]?.message ?? "invalid"} at '${parsed.error.issues[0]?.path.join(".") ?? ""}'.`);
    }
    if (parsed.data.id === active.id) applyDecision(requirement, parsed.data);
  }
  if (!requirement.isResolved && !isExpired(active, now)) {
    const pending = requirement.requiresExecutorInput
      ? requirement.executorRequirements.filter((entry) => !entry.isResolved).map((entry) => ({ id: entry.id, description: `${requirement.executorName ?? "agent"}: ${entry.description}`, needs: entry.needs }))
      : [{ id: requirement.id, description: `${requirement.stepType} '${requirement.stepName}' (${requirement.kind})`, needs: requirement.needs }];
    throw new UnresolvedRequirementError(pending.map((entry) => ({ requirementId: entry.id, description: entry.description, needs: entry.needs })));
  }
  return active;
}

/** True when the requirement's deadline has passed. */
export function isExpired(requirement: StepRequirementState, now: number = Date.now()): boolean {
  return requirement.timeoutAt !== null && now >= requirement.timeoutAt;
}

/** Lets `onTimeout` decide an expired requirement in place of a human. */
export function applyTimeout(requirement: StepRequirementState): void {
  requirement.timedOut = true;
  if (requirement.onTimeout !== "approve") return;
  if (requirement.kind === "executor") {
    for (const entry of requirement.executorRequirements) {
      entry.requirement.resolution = entry.requirement.kind === "confirmation" ? { type: "confirmed" } : { type: "rejected", note: "The approval timed out." };
    }
    return;
  }
  requirement.confirmed = true;
}

/** Marks the active requirement consumed: it and its tool requirements can never change again. */
export function freeze(requirement: StepRequirementState): void {
  requirement.frozen = true;
  for (const entry of requirement.executorRequirements) entry.requirement.frozen = true;
}
