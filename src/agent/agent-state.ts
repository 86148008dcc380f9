import type { Db } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import {
  AGENT_RUN_DEFAULTS,
  AGENT_RUN_SCHEMA_VERSION,
  type AgentRunState,
  checkInputText,
  checkOptionalId,
  freshDefaults,
  newId,
} from "../runs/index.js";
import type { RunOptions } from "./run-options.js";

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
  // The defaults first, then the rest: the key order (and so the stored JSON) of every new run.
  return Object.assign(freshDefaults(AGENT_RUN_DEFAULTS), {
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
  });
}

/**
 * The first state of a run started by run() or enqueueRun(), from their input and options,
 * checked: bad input throws before anything is stored.
 */
export async function checkedAgentRunState(
  agent: RunOwner,
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
  return newAgentRunState(agent, input, { runId, sessionId, userId, parentRunId: options.parentRunId });
}
