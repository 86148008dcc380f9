import { type LapseTarget, lapseToolCall, reminderOf } from "../agent/index.js";
import type { Db } from "../db/index.js";
import {
  appendDecision,
  DECIDED_BY_TIMEOUT,
  decidedByDeadline,
  dueLapse,
  escalateGate,
  type LapseResult,
  type StepRequirementState,
  type SweepReport,
  stampDeadline,
  stepGateDigest,
  sweepDeadlines,
  type WorkflowRunState,
} from "../runs/index.js";
import { applyTimeout } from "./continue-input.js";
import { timeoutDecision } from "./engine/decisions.js";
import { openRequirements } from "./engine/open-requirements.js";
import { StepRequirement } from "./step-requirement.js";
import { workflowRunAccess } from "./workflow-run-access.js";

/** Applies what a gate's own deadline asks (see lapseActive). */
function lapseGate(
  state: WorkflowRunState,
  active: StepRequirementState,
  now: number,
  options: { decideGate: boolean },
  target: LapseTarget,
): void {
  if (!("timeout" in active) || active.decision !== null) return;
  const lapse = dueLapse(active, now);
  if (lapse === null || (lapse === "decide" && !options.decideGate)) return;
  if (lapse === "remind") {
    if (target.reminder === null || active.timeout === null) return;
    active.timeout.remindedAt = now;
    target.result.reminders.push(reminderOf(active, target.reminder));
    return;
  }
  let decision: unknown = { type: "timeout" };
  if (lapse === "decide") {
    applyTimeout(active);
    stampDeadline(active, now);
  } else {
    decision = escalateGate(active, now);
    target.result.escalated += 1;
  }
  target.result.entries.push(
    appendDecision(state, "workflow", {
      requirementId: active.id,
      gateKind: active.kind,
      decision,
      decidedBy: DECIDED_BY_TIMEOUT,
      decidedAt: now,
      shownDigest: stepGateDigest(active),
    }),
  );
}

/**
 * Applies what the deadlines of a paused workflow run's open requirements ask at `now`, each
 * decision and escalation with its entry in the run's audit chain (a step agent's calls too):
 * - a gate whose deadline escalates is handed to its escalation's approvers, who alone may decide
 *   it from then on; one whose deadline decides is decided only with `decideGate` (in continueRun
 *   the deadline decides after the caller's decisions are read, overriding a late one);
 * - each open tool call of an executor pause is decided or escalated the same way, by its tool's
 *   `timeout`; when deadlines decided all of them, the pause itself is stamped as the deadline's;
 * - with `remind`, a reminder that fell due is recorded and reported.
 */
export function lapseActive(
  state: WorkflowRunState,
  now: number,
  options: { decideGate: boolean; remind: boolean },
): LapseResult {
  const result: LapseResult = { entries: [], escalated: 0, reminders: [] };
  const { runId, sessionId, workflowId } = state;
  const target: LapseTarget = {
    run: state,
    kind: "workflow",
    reminder: options.remind ? { kind: "workflow", ownerId: workflowId, runId, sessionId } : null,
    result,
  };
  for (const active of openRequirements(state)) {
    if (active.kind !== "executor") {
      lapseGate(state, active, now, options, target);
      continue;
    }
    for (const call of active.calls) lapseToolCall(call.requirement, call.execution, now, target);
    const calls = active.calls.map((call) => call.requirement);
    if (active.decidedBy === null && calls.length > 0 && calls.every(decidedByDeadline)) {
      active.decidedBy = DECIDED_BY_TIMEOUT;
      active.decidedAt = new Date(now).toISOString();
    }
  }
  return result;
}

/** The open executor pauses one of whose tool calls' deadline cancels the run (at once). */
export function cancellingPauses(state: WorkflowRunState): StepRequirementState[] {
  return openRequirements(state).filter((active) => active.kind === "executor" && timeoutDecision(active) === "cancel");
}

/**
 * The sweep of one workflow's paused runs (see sweepDeadlines): lapsed deadlines decide or
 * escalate the active gate or its step agent's tool calls; a run left with nothing to decide
 * continues through `continueRun`, which applies them again on the run it claims.
 */
export function expireWorkflowRuns(
  db: Db,
  workflowId: string,
  now: number,
  continueRun: (ref: { runId: string; sessionId: string }, now: number) => Promise<unknown>,
): Promise<SweepReport> {
  return sweepDeadlines(db, workflowRunAccess, workflowId, now, {
    lapse: (state, at) => lapseActive(state, at, { decideGate: true, remind: true }),
    // A run goes on as soon as one of its open requirements is settled (a Parallel's others stay open).
    resolved: (state) =>
      cancellingPauses(state).length > 0 ||
      openRequirements(state).some((active) => new StepRequirement(active).isResolved),
    continueRun,
  });
}
