import type { z } from "zod";
import { InvalidResolutionError, RequirementResolvedError, UnresolvedRequirementError } from "../errors.js";
import { checkSuppliedVersion, lazyModule, type StepRequirementState, type WorkflowRunState } from "../runs/index.js";
import { checkJsonData } from "../runs/check-input.js";
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

/** What the caller passed to continueRun. */
export interface WorkflowContinueInput {
  runId: string;
  sessionId: string;
  supplied: unknown[];
  /** True when the caller passed a WorkflowRunOutput (its own view of the run), not decisions as JSON. */
  fromOutput: boolean;
}

/** Reads what the caller passed to continueRun: the run ids and the active entry's decisions. */
export function readWorkflowContinueInput(run: WorkflowRunOutput | ContinueWorkflowRef): WorkflowContinueInput {
  if (run instanceof WorkflowRunOutput) {
    return { runId: run.runId, sessionId: run.sessionId, supplied: run.stepRequirements.map((requirement) => requirement.toJSON()), fromOutput: true };
  }
  const parsed = schemas().refSchema.safeParse(run);
  if (!parsed.success) {
    throw new InvalidResolutionError("(input)", "continueRun() takes a WorkflowRunOutput or { runId, sessionId, stepRequirements? }.");
  }
  return { runId: parsed.data.runId, sessionId: parsed.data.sessionId, supplied: parsed.data.stepRequirements ?? [], fromOutput: false };
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
  if (requirement.requiresUserInput && supplied.userInput != null) return requirement.setUserInput(checkJsonData(`requirement '${requirement.id}' userInput`, supplied.userInput));
  if (requirement.requiresRouteSelection && supplied.selectedChoices != null) return requirement.select(...supplied.selectedChoices);
  if (requirement.requiresOutputReview && supplied.editedOutput != null) return requirement.edit(supplied.editedOutput);
  if (requirement.requiresConfirmation && supplied.confirmed === true) requirement.confirm();
}

function parseSupplied(entry: unknown): Supplied {
  const parsed = schemas().suppliedSchema.safeParse(entry);
  if (!parsed.success) {
    throw new InvalidResolutionError("(input)", `A supplied step requirement is malformed: ${parsed.error.issues[0]?.message ?? "invalid"} at '${parsed.error.issues[0]?.path.join(".") ?? ""}'.`);
  }
  checkSuppliedVersion(parsed.data["schemaVersion"]);
  return parsed.data;
}

/** True when supplied JSON carries a decision (not just the requirement's identity). */
function carriesDecision(entry: Supplied): boolean {
  const decided = [entry.confirmed, entry.userInput, entry.selectedChoices, entry.editedOutput, entry.errorDecision].some((value) => value !== null && value !== undefined);
  return decided || (entry.executorRequirements ?? []).some((call) => call.requirement.resolution !== null);
}

function unresolvedError(requirement: StepRequirement): UnresolvedRequirementError {
  const pending = requirement.requiresExecutorInput
    ? requirement.executorRequirements.filter((entry) => !entry.isResolved).map((entry) => ({ id: entry.id, description: `${requirement.executorName ?? "agent"}: ${entry.description}`, needs: entry.needs }))
    : [{ id: requirement.id, description: `${requirement.stepType} '${requirement.stepName}' (${requirement.kind})`, needs: requirement.needs }];
  return new UnresolvedRequirementError(pending.map((entry) => ({ requirementId: entry.id, description: entry.description, needs: entry.needs })));
}

/**
 * Applies the caller's decisions to the active requirement of freshly loaded state (earlier
 * entries are frozen and never re-applied), then checks it is resolved, before anything runs.
 * Returns the active requirement, or null for a run recover() paused with nothing to decide.
 * Decisions sent as JSON for a pause that is over, and none for the current one, are a conflict
 * (RequirementResolvedError): the caller lost the race to decide.
 */
export function applyStepDecisions(state: WorkflowRunState, input: WorkflowContinueInput, now: number): StepRequirementState | null {
  const last = state.stepRequirements.at(-1);
  const active = last !== undefined && !last.frozen ? last : undefined;
  const requirement = active === undefined ? undefined : new StepRequirement(active);
  const frozenIds = new Set(state.stepRequirements.filter((entry) => entry.frozen).map((entry) => entry.id));
  let stale: string | undefined;
  let namedActive = false;
  for (const entry of input.supplied.map(parseSupplied)) {
    if (requirement !== undefined && entry.id === requirement.id) {
      namedActive = true;
      applyDecision(requirement, entry);
    } else if (frozenIds.has(entry.id) && carriesDecision(entry)) {
      stale ??= entry.id;
    }
  }
  const waiting = requirement !== undefined && !requirement.isResolved && active !== undefined && !isExpired(active, now);
  if (stale !== undefined && !input.fromOutput && !namedActive && (waiting || requirement === undefined)) {
    throw new RequirementResolvedError(stale, "it was already decided by an earlier continueRun and the run has moved on; load it again to see what it waits for now");
  }
  if (waiting) throw unresolvedError(requirement);
  return active ?? null;
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
