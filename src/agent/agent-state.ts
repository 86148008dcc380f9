import type { Db } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import {
  AGENT_RUN_DEFAULTS,
  AGENT_RUN_SCHEMA_VERSION,
  type AgentRunState,
  checkInputText,
  checkOptionalId,
  newId,
} from "../runs/index.js";
import type { RunOptions } from "./run-options.js";

/**
 * The first state of a run of an agent, from run()'s input and options, checked: bad input
 * throws before anything is stored.
 */
export async function newAgentRunState(
  agent: { id: string; name: string; fingerprint: string },
  db: Db,
  input: string,
  options: RunOptions,
): Promise<AgentRunState> {
  checkInputText("agent.run(input)", input);
  const runId = checkOptionalId("runId", options.runId);
  const sessionId = checkOptionalId("sessionId", options.sessionId);
  const userId = checkOptionalId("userId", options.userId);
  if (runId !== undefined && (await db.getRun("agent", runId)) !== null) {
    throw new ConfigurationError(`A run with id '${runId}' already exists; pass a new runId or none.`);
  }
  const now = Date.now();
  return {
    ...structuredClone(AGENT_RUN_DEFAULTS),
    schemaVersion: AGENT_RUN_SCHEMA_VERSION,
    kind: "agent",
    runId: runId ?? newId(),
    sessionId: sessionId ?? newId(),
    userId: userId ?? null,
    agentId: agent.id,
    agentName: agent.name,
    parentRunId: options.parentRunId ?? null,
    fingerprint: agent.fingerprint,
    status: "running",
    messages: [{ role: "user", content: input }],
    turns: 0,
    createdAt: now,
    updatedAt: now,
  };
}
