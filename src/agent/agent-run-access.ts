import type { Db, PendingRequirementRecord } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import {
  type AgentRunState,
  decodeAgentRunState,
  describeToolCall,
  encodeAgentRunState,
  type LoadedRun,
  loadRun,
  openSites,
  type RunAccess,
} from "../runs/index.js";

function pendingRequirements(state: AgentRunState): PendingRequirementRecord[] {
  // A workflow's agent run is decided through the workflow's own pause, which the inbox lists.
  if (state.parentRunId !== null) return [];
  // A sub-agent's call is listed under this run (the one continued), named by its path.
  return openSites(state).map(({ requirement, execution, path }) => ({
    requirementId: requirement.id,
    requirementKind: requirement.kind,
    summary: `${path.slice(0, -1).join(" › ")} wants to call ${describeToolCall(execution, requirement.definitionChanged, execution.toolArgs)}`,
  }));
}

/** How agent runs are stored: under kind "agent", owned by the agent id. */
export const agentRunAccess: RunAccess<AgentRunState> = {
  kind: "agent",
  what: "agent run",
  decode: decodeAgentRunState,
  encode: encodeAgentRunState,
  ownerId: (state) => state.agentId,
  pending: pendingRequirements,
};

/** Loads a stored run of agent `agentId` (RunNotFoundError; ConfigurationError for another agent's run). */
export async function loadAgentRun(
  db: Db,
  agentId: string,
  runId: string,
  sessionId: string,
): Promise<LoadedRun<AgentRunState>> {
  const loaded = await loadRun(db, agentRunAccess, runId, sessionId);
  if (loaded.state.agentId !== agentId) {
    throw new ConfigurationError(
      `Run '${runId}' belongs to agent '${loaded.state.agentId}', not '${agentId}'; continue it with that agent.`,
    );
  }
  return loaded;
}
