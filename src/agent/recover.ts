import { newId } from "../runs/new-id.js";
import type { Db } from "../db/db.js";
import { compareAndSave, expiredRuns, loadRun, type AgentRunState } from "../runs/index.js";
import { agentRunAccess } from "./agent-run-access.js";

/** A run that recover() made continuable again. */
export interface RecoveredRun {
  runId: string;
  sessionId: string;
  /** Tool calls that may or may not have run; each now waits for a human to retry or skip it. */
  uncertainToolCalls: string[];
}

/**
 * Turns the state of a run whose process died into a paused run. A call marked `running` was
 * approved and may have started, but no result was stored: it is never re-run silently; a new
 * requirement asks a human to retry it (confirm) or skip it (reject).
 */
export function recoverAgentState(state: AgentRunState): string[] {
  const uncertain: string[] = [];
  for (const execution of state.tools) {
    if (execution.phase !== "running") continue;
    for (const requirement of state.requirements) {
      if (requirement.toolCallId !== execution.toolCallId) continue;
      if (requirement.resolution?.type === "userInput") execution.toolArgs = { ...execution.toolArgs, ...requirement.resolution.values };
      requirement.frozen = true;
    }
    execution.phase = "awaiting";
    state.requirements.push({ id: newId(), toolCallId: execution.toolCallId, kind: "confirmation", resolution: null, frozen: false, recovered: true });
    uncertain.push(execution.toolCallId);
  }
  state.status = "paused";
  return uncertain;
}

/** Finds this agent's runs whose claim expired and makes each continuable again. */
export async function recoverAgentRuns(db: Db, agentId: string, now: number): Promise<RecoveredRun[]> {
  const recovered: RecoveredRun[] = [];
  for (const summary of await expiredRuns(db, "agent", agentId, now)) {
    const loaded = await loadRun(db, agentRunAccess, summary.runId, summary.sessionId);
    if (loaded.state.status !== "running") continue;
    const uncertainToolCalls = recoverAgentState(loaded.state);
    if (await compareAndSave(db, agentRunAccess, loaded.state, loaded.revision)) {
      recovered.push({ runId: summary.runId, sessionId: summary.sessionId, uncertainToolCalls });
    }
  }
  return recovered;
}
