import { AGENT_RUN_DEFAULTS, AGENT_RUN_SCHEMA_VERSION, type AgentRunState, newId } from "../runs/index.js";

/** What a new run records of its agent. */
interface RunOwner {
  id: string;
  name: string;
  fingerprint: string;
}

/** The ids a new run is given (new ones for those left out). */
interface NewRunIds {
  runId?: string | undefined;
  sessionId?: string | undefined;
  userId?: string | null | undefined;
  parentRunId?: string | null | undefined;
}

/** The first state of a run of `agent` with `input` as the user message: running, no turn taken. */
export function newAgentRunState(agent: RunOwner, input: string, ids: NewRunIds): AgentRunState {
  const now = Date.now();
  return {
    ...structuredClone(AGENT_RUN_DEFAULTS),
    schemaVersion: AGENT_RUN_SCHEMA_VERSION,
    kind: "agent",
    runId: ids.runId ?? newId(),
    sessionId: ids.sessionId ?? newId(),
    userId: ids.userId ?? null,
    agentId: agent.id,
    agentName: agent.name,
    parentRunId: ids.parentRunId ?? null,
    fingerprint: agent.fingerprint,
    status: "running",
    messages: [{ role: "user", content: input }],
    turns: 0,
    createdAt: now,
    updatedAt: now,
  };
}
