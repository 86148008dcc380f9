import { AGENT_RUN_SCHEMA_VERSION, type AgentRunState } from "./agent-run-state.js";
import { decodeState, type VersionedCodec } from "./codec.js";
import { type RunName, stripRunDefaults, withDefaults, withRunDefaults } from "./compact.js";
import { migrateAgentRunV2 } from "./migrate-decisions.js";
import { runSchemas } from "./run-schemas.js";
import { AGENT_RUN_SHAPE } from "./shapes.js";

export const agentRunCodec: VersionedCodec<AgentRunState> = {
  what: "agent run",
  currentVersion: AGENT_RUN_SCHEMA_VERSION,
  // 1 -> 2 only added fields whose defaults (no fingerprint) the shape fills in; 2 -> 3 turned
  // each requirement's resolution into a decision; 3 -> 4 added who decided (decidedBy, decidedAt)
  // and the run's place in the decisions table (auditSeq, auditHead): the shape's defaults, filled
  // in again after 2 -> 3 rebuilt the requirements; 4 -> 5 added token usage, and each tool call's
  // origin and pinned definition digest and a requirement's definitionChanged (their defaults too);
  // 5 -> 6 added a call's subRun (agents as tools), null for every call stored before.
  migrations: {
    1: (state) => state,
    2: migrateAgentRunV2,
    3: (state) => withDefaults(state, AGENT_RUN_SHAPE) as Record<string, unknown>,
    4: (state) => state,
    5: (state) => state,
  },
  // A getter, so the schema (and zod) loads with the first decode rather than with kern.
  get schema() {
    return runSchemas().agentRunStateSchema;
  },
};

/** The name is stored only when it differs from the id. */
const AGENT_NAME: RunName = { nameKey: "agentName", idKey: "agentId" };

/** Reads stored or supplied state (sparse or complete), migrating and validating it. */
export function decodeAgentRunState(input: unknown): AgentRunState {
  return decodeState(agentRunCodec, withRunDefaults(input, AGENT_RUN_SHAPE, AGENT_NAME));
}

/** The sparse form that is stored (the name is left out when it equals the id). */
export function encodeAgentRunState(state: AgentRunState): unknown {
  return stripRunDefaults(state, AGENT_RUN_SHAPE, AGENT_NAME);
}
