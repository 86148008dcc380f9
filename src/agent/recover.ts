import type { Db } from "../db/index.js";
import {
  AGENT_REQUIREMENT_DEFAULTS,
  type AgentRunState,
  compareAndSave,
  expiredRuns,
  newId,
  openSites,
  type SkippedRun,
  type ToolExecutionState,
  visitEach,
} from "../runs/index.js";
import { agentRunAccess } from "./agent-run-access.js";
import { prepareResume } from "./resume-batch.js";

/** A run that recover() made continuable again. */
export interface RecoveredRun {
  runId: string;
  sessionId: string;
  /** Tool calls that may or may not have run; each now waits for a human to retry or skip it. */
  uncertainToolCalls: string[];
  /**
   * True when a person must decide before the run can go on (an uncertain call, or a gated call
   * that was still waiting). False: it is paused at its last checkpoint with nothing to decide,
   * and continueRun() resumes it.
   */
  needsDecision: boolean;
  /** The workflow run it belongs to (continue that, not this), or null. */
  parentRunId: string | null;
}

/** What agent.recover() did: the runs it made continuable, and the rows it could not read. */
export interface AgentRecovery {
  agentRuns: RecoveredRun[];
  skipped: SkippedRun[];
}

/**
 * Turns the state of a run whose holder died into a paused run at its last checkpoint. A call
 * marked `running` started and has no stored result: it is never re-run silently; a new
 * requirement asks a human to retry it (confirm) or skip it (reject). Calls that finished keep
 * their stored results; approved calls that never started stay approved.
 */
export function recoverAgentState(state: AgentRunState): string[] {
  const uncertain: string[] = [];
  for (const execution of state.tools) {
    if (execution.subRun !== null) {
      uncertain.push(...recoverSubRun(execution));
      continue;
    }
    if (execution.phase !== "running") continue;
    for (const requirement of state.requirements) {
      if (requirement.toolCallId !== execution.toolCallId || requirement.frozen) continue;
      if (requirement.decision?.type === "input")
        execution.toolArgs = { ...execution.toolArgs, ...requirement.decision.values };
      requirement.frozen = true;
    }
    execution.phase = "awaiting";
    state.requirements.push({
      ...AGENT_REQUIREMENT_DEFAULTS,
      id: newId(),
      toolCallId: execution.toolCallId,
      recovered: true,
      pausedAt: Date.now(),
    });
    uncertain.push(execution.toolCallId);
  }
  state.status = "paused";
  return uncertain;
}

/**
 * A call of an agent used as a tool is never asked about as a whole: its sub-run is recovered at
 * its own last checkpoint (its calls that may have run come back as requirements of their own),
 * and the call waits when the sub-run now waits for a person; else a continue resumes the sub-run.
 */
function recoverSubRun(execution: ToolExecutionState): string[] {
  const sub = execution.subRun;
  if (sub === null || (sub.status !== "running" && sub.status !== "paused")) return [];
  const uncertain = recoverAgentState(sub);
  if (execution.phase !== "done" && execution.phase !== "rejected" && waitsForDecision(sub))
    execution.phase = "awaiting";
  return uncertain;
}

/** True when the paused run (or a sub-run in it) has a requirement still waiting for a person. */
function waitsForDecision(state: AgentRunState): boolean {
  return openSites(state).length > 0;
}

/**
 * Finds this agent's runs whose claim expired and makes each continuable again. With `handOff`
 * (the agent has a queue), a run of its own that needs no person is stored `pending`, exactly as
 * a continue would claim it, for a worker: a doorbell lost with a dying process is then rung again.
 */
export async function recoverAgentRuns(db: Db, agentId: string, now: number, handOff = false): Promise<AgentRecovery> {
  const agentRuns: RecoveredRun[] = [];
  const expired = await expiredRuns(db, "agent", agentId, now);
  const skipped = await visitEach(db, agentRunAccess, expired, async ({ state, revision }) => {
    if (state.status !== "running") return;
    const uncertainToolCalls = recoverAgentState(state);
    if (handOff && state.parentRunId === null && !waitsForDecision(state)) {
      prepareResume(state);
      state.status = "pending";
    }
    // A compare-and-set on the revision: a holder that renewed its lease meanwhile keeps its run.
    if (await compareAndSave(db, agentRunAccess, state, revision)) {
      agentRuns.push({
        runId: state.runId,
        sessionId: state.sessionId,
        uncertainToolCalls,
        needsDecision: waitsForDecision(state),
        parentRunId: state.parentRunId,
      });
    }
  });
  return { agentRuns, skipped };
}
