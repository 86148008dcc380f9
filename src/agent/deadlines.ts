import type { Db, DecisionRecord, RunKind } from "../db/index.js";
import {
  type AgentRunState,
  appendDecision,
  Claim,
  DECIDED_BY_TIMEOUT,
  type DeadlineGate,
  deadlineOutcome,
  decidedByDeadline,
  dueLapse,
  escalateGate,
  findSite,
  type GateReminder,
  type LapseResult,
  type LoadedRun,
  openSites,
  type RequirementState,
  requirementSites,
  runsOfTree,
  type SweepReport,
  stampDeadline,
  sweepDeadlines,
  type ToolExecutionState,
  toolCallDigest,
  type UpstreamStamp,
  waitedSeconds,
} from "../runs/index.js";
import { agentRunAccess } from "./agent-run-access.js";
import type { AgentEventListener } from "./events.js";
import { RunOutput } from "./run-output.js";

/** Where a tool call's lapsed deadline is recorded: the run whose audit chain it extends, and what it reports. */
export interface LapseTarget {
  /** The run that records it: the agent's own, or for a step agent's call its workflow's. */
  run: { runId: string; auditSeq: number; auditHead: string | null };
  kind: RunKind;
  /** Names the run in a reminder that fell due; null leaves reminders to the sweep. */
  reminder: Pick<GateReminder, "kind" | "ownerId" | "runId" | "sessionId"> | null;
  result: LapseResult;
}

/** A reminder about a gate that waits, as its deadline stands now. */
export function reminderOf(
  gate: DeadlineGate & { id: string },
  run: Pick<GateReminder, "kind" | "ownerId" | "runId" | "sessionId">,
): GateReminder {
  return {
    ...run,
    requirementId: gate.id,
    approvers: gate.escalation === null ? null : [...gate.escalation.to],
    level: gate.escalation?.level ?? 0,
    deadline: gate.timeout?.at ?? 0,
  };
}

/**
 * Applies what an open tool call's deadline asks at `now`: it decides the call (`{ type:
 * "timeout" }`, stamped kern:timeout), or hands it to its escalation's approvers; each with its
 * entry in `target.run`'s audit chain. A reminder that fell due is recorded and reported when
 * `target.reminder` names the run.
 */
export function lapseToolCall(
  requirement: RequirementState,
  execution: ToolExecutionState,
  now: number,
  target: LapseTarget,
): void {
  if (requirement.frozen || requirement.decision !== null) return;
  const lapse = dueLapse(requirement, now);
  if (lapse === null) return;
  if (lapse === "remind") {
    if (target.reminder === null || requirement.timeout === null) return;
    requirement.timeout.remindedAt = now;
    target.result.reminders.push(reminderOf(requirement, target.reminder));
    return;
  }
  let decision: unknown = { type: "timeout" };
  if (lapse === "decide") {
    requirement.decision = { type: "timeout" };
    stampDeadline(requirement, now);
  } else {
    decision = escalateGate(requirement, now);
    target.result.escalated += 1;
  }
  target.result.entries.push(
    appendDecision(target.run, target.kind, {
      requirementId: requirement.id,
      gateKind: requirement.kind,
      decision,
      decidedBy: DECIDED_BY_TIMEOUT,
      decidedAt: now,
      shownDigest: toolCallDigest(requirement.kind, execution),
    }),
  );
}

/**
 * Applies the lapsed deadlines of an agent run's open tool calls (see lapseToolCall). A step
 * agent's calls are left alone: its workflow's pause holds them, and the workflow's deadlines
 * decide them.
 */
export function lapseToolCalls(state: AgentRunState, now: number, remind: boolean): LapseResult {
  const result: LapseResult = { entries: [], escalated: 0, reminders: [] };
  if (state.parentRunId !== null) return result;
  const { runId, sessionId, agentId } = state;
  const target: LapseTarget = {
    run: state,
    kind: "agent",
    reminder: remind ? { kind: "agent", ownerId: agentId, runId, sessionId } : null,
    result,
  };
  // Sub-agents' calls too: their deadlines are kept by the run that holds them.
  for (const { requirement, execution } of requirementSites(state)) lapseToolCall(requirement, execution, now, target);
  return result;
}

/**
 * Copies what a workflow's executor pause decided about its step agent's calls by deadline (the
 * decision, its stamp, and the deadline and escalation it was read from), so the agent applies it.
 * Decisions of people come as data, checked by the requirement like any other.
 */
export function adoptUpstreamDeadlines(
  state: AgentRunState,
  upstream: ReadonlyMap<string, UpstreamStamp> | undefined,
): void {
  for (const [id, stamp] of upstream ?? []) {
    const requirement = findSite(state, id)?.requirement;
    if (requirement === undefined || requirement.frozen) continue;
    if (stamp.timeout !== undefined) requirement.timeout = structuredClone(stamp.timeout);
    if (stamp.escalation !== undefined) requirement.escalation = structuredClone(stamp.escalation);
    if (!decidedByDeadline(stamp)) continue;
    requirement.decision = { type: "timeout" };
    requirement.decidedBy = stamp.decidedBy;
    requirement.decidedAt = stamp.decidedAt;
  }
}

function secondsText(seconds: number): string {
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** Applies a call's deadline decision: "approve" queues it to run; "reject", "skip" (and "cancel") never run it. */
export function applyLapsedDeadline(requirement: RequirementState, execution: ToolExecutionState): void {
  const outcome = deadlineOutcome(requirement);
  if (outcome === "approve") {
    execution.phase = "queued";
    return;
  }
  // The model is told the approval lapsed, not that a person said no.
  const lapsed = `The approval for this call lapsed after ${secondsText(waitedSeconds(requirement))}`;
  execution.phase = "rejected";
  execution.result =
    outcome === "skip" ? `${lapsed}; it was skipped, not executed.` : `${lapsed}; it was not executed.`;
}

/** Why a call's deadline cancels the run (its outcome is "cancel"), or null when none does. */
export function cancelledByDeadline(state: AgentRunState): string | null {
  const cancelling = [...requirementSites(state)].find(
    ({ requirement }) =>
      !requirement.frozen && decidedByDeadline(requirement) && deadlineOutcome(requirement) === "cancel",
  );
  if (cancelling === undefined) return null;
  const name = cancelling.execution.toolName;
  return `The approval for a call of '${name}' lapsed after ${secondsText(waitedSeconds(cancelling.requirement))}; the run is cancelled.`;
}

/** Ends a run and every sub-run still going in it as cancelled: no requirement of theirs can be decided again. */
function closeTree(state: AgentRunState): void {
  for (const run of runsOfTree(state)) {
    if (run !== state && run.status !== "paused" && run.status !== "running") continue;
    run.status = "cancelled";
    run.cursor = null;
    for (const requirement of run.requirements) requirement.frozen = true;
  }
}

/**
 * Ends a paused run as cancelled: claimed like a continue (with the audit entries of what decided
 * it, such as a call's deadline saying "cancel"), stored cancelled, no gated call of its batch run.
 * With a `reason`, RunCancelled is emitted.
 */
export async function cancelPausedRun(
  db: Db,
  loaded: LoadedRun<AgentRunState>,
  leaseMs: number,
  why: { entries?: readonly DecisionRecord[]; reason?: string; emit?: AgentEventListener | undefined } = {},
): Promise<RunOutput> {
  const claim = await Claim.take(db, agentRunAccess, loaded, leaseMs, why.entries);
  const { state } = claim;
  closeTree(state);
  await claim.release();
  const { runId, sessionId, agentName } = state;
  if (why.reason !== undefined) why.emit?.({ event: "RunCancelled", runId, sessionId, agentName, reason: why.reason });
  return new RunOutput(state);
}

/**
 * The sweep of one agent's paused runs (see sweepDeadlines): lapsed deadlines decide or escalate
 * their calls, and a run with nothing left to decide continues through `continueRun`. A step
 * agent's runs are its workflow's to sweep.
 */
export function expireAgentRuns(
  db: Db,
  agentId: string,
  now: number,
  continueRun: (ref: { runId: string; sessionId: string }, now: number) => Promise<unknown>,
): Promise<SweepReport> {
  return sweepDeadlines(db, agentRunAccess, agentId, now, {
    lapse: (state, at) => lapseToolCalls(state, at, true),
    resolved: (state) => cancelledByDeadline(state) !== null || openSites(state).length === 0,
    continueRun,
  });
}
