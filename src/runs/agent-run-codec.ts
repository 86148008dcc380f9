import { AGENT_RUN_SCHEMA_VERSION, agentRunStateSchema, type AgentRunState } from "./agent-run-state.js";
import { decodeState, type VersionedCodec } from "./codec.js";

/** Version 1 is the first released version, so there is nothing to migrate yet. */
export const agentRunCodec: VersionedCodec<AgentRunState> = {
  what: "agent run",
  currentVersion: AGENT_RUN_SCHEMA_VERSION,
  migrations: {},
  schema: agentRunStateSchema,
};

export function decodeAgentRunState(input: unknown): AgentRunState {
  return decodeState(agentRunCodec, input);
}
