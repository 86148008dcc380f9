import { RunRequirement } from "../agent/index.js";
import type { DecisionRecord } from "../db/index.js";
import { NotAuthorizedError } from "../errors.js";
import {
  appendDecision,
  auditedDecision,
  checkEditedArgs,
  DECIDED_BY_TIMEOUT,
  type DecidedBy,
  type DecisionStamp,
  decidedByOf,
  escalatedPolicy,
  type GatePolicy,
  openGate,
  type Principal,
  refusal,
  type StepRequirementState,
  stepGateDigest,
  viaDecisionLink,
  type WorkflowRunState,
} from "../runs/index.js";
import type { Component } from "./components/component.js";
import { executorTool } from "./components/walk.js";
import { applyStepDecisions, applyTimeout, freeze, isExpired, type WorkflowContinueInput } from "./continue-input.js";
import { cancellingPauses, lapseActive } from "./deadlines.js";
import { componentAtPath } from "./engine/locate.js";
import { StepRequirement } from "./step-requirement.js";
import type { WorkflowContinueOptions } from "./workflow-options.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";

/** One decision this continue makes: where it is stored, and what the audit entry records. */
interface Decided {
  target: { decidedBy: DecidedBy | null; decidedAt: string | null };
  requirementId: string;
  gateKind: string;
  decision: unknown;
  shownDigest: string;
  byTimeout: boolean;
}

/** The decisions on the active requirement not yet stamped: its tool calls, or the gate itself. */
function decidedNow(active: StepRequirementState): Decided[] {
  if (active.kind === "executor") {
    return active.calls.flatMap(({ requirement, execution }) =>
      requirement.decision === null || requirement.decidedBy !== null
        ? []
        : [
            {
              target: requirement,
              requirementId: requirement.id,
              gateKind: requirement.kind,
              decision: auditedDecision(requirement.decision, execution.toolArgs),
              shownDigest: new RunRequirement(requirement, execution).shownDigest,
              byTimeout: false,
            },
          ],
    );
  }
  if (active.decision === null || active.decidedBy !== null) return [];
  return [
    {
      target: active,
      requirementId: active.id,
      gateKind: active.kind,
      decision: active.decision,
      shownDigest: stepGateDigest(active),
      byTimeout: active.decision.type === "timeout",
    },
  ];
}

/** Who may decide `requirementId` of the active requirement: its tool's policy, or its component's. */
function refusalFor(
  steps: readonly Component[],
  state: WorkflowRunState,
  active: StepRequirementState,
  requirementId: string,
  actor: Principal | undefined,
): string | null {
  if (active.kind === "executor") {
    const call = active.calls.find((entry) => entry.requirement.id === requirementId);
    if (call === undefined) return null;
    const tool = executorTool(steps, active.executor.id, call.path);
    const policy: GatePolicy<RunRequirement> = tool?.policy ?? openGate();
    const current = escalatedPolicy(policy, call.requirement.escalation?.to);
    return refusal(current, actor, new RunRequirement(call.requirement, call.execution, call.path), state.userId);
  }
  const component = componentAtPath(steps, active.stepPath);
  const policy: GatePolicy<StepRequirement> =
    component !== undefined && "policy" in component ? component.policy : openGate();
  const current = escalatedPolicy(policy, "escalation" in active ? active.escalation?.to : null);
  return refusal(current, actor, new StepRequirement(active), state.userId);
}

/**
 * After the caller's decisions (or a deadline) are applied to the decided requirements and before
 * the run is claimed: checks that `actor` may make each decision (NotAuthorizedError, nothing
 * stored, when it may not), stamps each with who decided and when, and returns the audit entries
 * the claim stores with it. A deadline's decision needs no permission and is stamped `kern:timeout`.
 * Returns the stamps of tool-call decisions too: the step's agent copies them.
 */
export function authorizeStepDecisions(
  steps: readonly Component[],
  state: WorkflowRunState,
  decided: readonly StepRequirementState[],
  actor: Principal | undefined,
  now: number,
  linkId: string | undefined,
): DecisionRecord[] {
  // Each requirement's decisions (and the digests of what was shown) are listed once: checking
  // them changes nothing, so stamping uses the same list.
  const pending = decided.map((active) => ({ active, entries: decidedNow(active) }));
  // Every decision is checked before any is stamped: a refusal leaves all of them as they were.
  for (const { active, entries } of pending) {
    for (const entry of entries) {
      if (entry.byTimeout) continue;
      const reason = refusalFor(steps, state, active, entry.requirementId, actor);
      if (reason !== null) throw new NotAuthorizedError(entry.requirementId, actor?.id ?? null, reason);
    }
  }
  // A requirement listed twice is stamped once, by its first listing.
  const unstamped = ({ target }: Decided) => target.decidedBy === null;
  return pending.flatMap(({ active, entries }) =>
    stampDecisions(state, active, entries.filter(unstamped), { actor, now, linkId }),
  );
}

/** Stamps the decisions on one requirement with who decided and when, returning their audit entries. */
function stampDecisions(
  state: WorkflowRunState,
  active: StepRequirementState,
  decided: readonly Decided[],
  { actor, now, linkId }: { actor: Principal | undefined; now: number; linkId: string | undefined },
): DecisionRecord[] {
  const decidedAt = new Date(now).toISOString();
  const byActor: DecisionStamp = { decidedBy: decidedByOf(actor), decidedAt };
  const entries = decided.map((entry) => {
    const stamp = entry.byTimeout ? { decidedBy: DECIDED_BY_TIMEOUT, decidedAt } : byActor;
    entry.target.decidedBy = stamp.decidedBy;
    entry.target.decidedAt = stamp.decidedAt;
    return appendDecision(state, "workflow", {
      ...entry,
      decidedBy: stamp.decidedBy,
      decidedAt: now,
      linkId: linkId ?? null,
    });
  });
  // The executor pause itself was decided by whoever decided its calls.
  if (active.kind === "executor" && decided.length > 0 && active.decidedBy === null) {
    active.decidedBy = byActor.decidedBy;
    active.decidedAt = byActor.decidedAt;
  }
  return entries;
}

/**
 * Whether `actor` may decide the requirement `requirementId` of a paused run (a step gate or one
 * tool call of an executor pause), or without an id any of its active requirements.
 */
export function mayDecideStep(
  steps: readonly Component[],
  actor: Principal,
  run: WorkflowRunOutput,
  requirementId?: string,
  includeDecided = false,
): boolean {
  const starter = run.userId ?? null;
  return run.stepRequirements.some((requirement) => {
    if (requirement.isFrozen && !includeDecided) return false;
    if (requirement.requiresExecutorInput) {
      // The pause's own id stands for all its calls (an inbox row names the pause).
      const any = requirementId === undefined || requirementId === requirement.id;
      return requirement.executorRequirements.some(
        (call) =>
          (any || call.id === requirementId) &&
          refusal(
            escalatedPolicy(
              executorTool(steps, requirement.executorId ?? "", call.path)?.policy ?? openGate(),
              call.escalation?.approvers,
            ),
            actor,
            call,
            starter,
          ) === null,
      );
    }
    if (requirementId !== undefined && requirement.id !== requirementId) return false;
    const component = componentAtPath(steps, requirement.stepPath);
    const policy: GatePolicy<StepRequirement> =
      component !== undefined && "policy" in component ? component.policy : openGate();
    return refusal(escalatedPolicy(policy, requirement.escalation?.approvers), actor, requirement, starter) === null;
  });
}

/**
 * Applies the caller's decisions (or lapsed deadlines) to the open requirements of freshly loaded
 * state, checks and stamps who decided, and freezes the decided ones: the decisions, their stamps
 * and audit entries and the claim are then stored in one write. Throws, changing nothing stored,
 * when a decision is missing, invalid or not the actor's to make.
 */
export function decideActive(
  steps: readonly Component[],
  state: WorkflowRunState,
  input: WorkflowContinueInput,
  options: Pick<WorkflowContinueOptions, "actor" | typeof viaDecisionLink>,
  now: number,
): DecisionRecord[] {
  // Deadlines that escalated move the gate first: the caller's decisions are checked against its approvers now.
  const lapsed = lapseActive(state, now, { decideGate: false, remind: false }).entries;
  // A tool call's deadline that cancels the run does so at once: the pause's other calls no longer matter.
  const cancelling = cancellingPauses(state);
  const decided = cancelling.length > 0 ? cancelling : applyStepDecisions(state, input, now);
  for (const active of decided) {
    if (active.kind !== "executor") continue;
    // Edited arguments are checked against the step agent's tools now, before anything is stored.
    for (const { requirement, execution, path } of active.calls)
      checkEditedArgs(new RunRequirement(requirement, execution, path), executorTool(steps, active.executor.id, path));
  }
  for (const active of decided) if (isExpired(active, now)) applyTimeout(active);
  const entries = authorizeStepDecisions(steps, state, decided, options.actor, now, options[viaDecisionLink]);
  for (const active of decided) freeze(active);
  return [...lapsed, ...entries];
}
