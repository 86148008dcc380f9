import { z } from "zod";
import { AGENT_RUN_SCHEMA_VERSION, REQUIREMENT_KINDS, RUN_STATUSES } from "./agent-run-state.js";
import {
  decisionAuthorship,
  escalationSchema,
  gateDeadlineSchema,
  jsonObjectSchema,
  pauseTrace,
  requirementKindSchema,
  toolDecisionSchema,
} from "./decision-schema.js";

export * from "./decision-schema.js";

/**
 * The one schema of a stored agent run; the types in agent-run-state.ts are inferred from it, and
 * `RunOutput`, `RunRequirement` and `ToolExecution` are thin views over this data.
 *
 * Only {@link runSchemas} loads this file, on first use, so `import "kern"` never pays for zod.
 * It must stay a leaf (zod, constants and types only): under tsx a required module is a second
 * instance of the one imported, so nothing whose identity matters may live here.
 */

export const runStatusSchema = z.enum(RUN_STATUSES);

export const toolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.string(),
});

export const messageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("user"), content: z.string() }),
  z.object({
    role: z.literal("assistant"),
    content: z.string(),
    toolCalls: z.array(toolCallSchema),
  }),
  z.object({
    role: z.literal("tool"),
    toolCallId: z.string(),
    toolName: z.string(),
    content: z.string(),
  }),
]);

export const requirementStateSchema = z.object({
  id: z.string(),
  toolCallId: z.string(),
  kind: requirementKindSchema,
  decision: toolDecisionSchema.nullable(),
  ...decisionAuthorship,
  ...pauseTrace,
  /** True once a continue consumed it: a frozen requirement can never be resolved again. */
  frozen: z.boolean(),
  /**
   * Set by recover() on a call that may or may not have run before its process died:
   * confirm() runs it again, reject() skips it.
   */
  recovered: z.boolean(),
  /**
   * Set when the call was approved but its tool's definition changed before it ran (an MCP server
   * changed it): the call did not run, and this new requirement asks again under the new definition.
   */
  definitionChanged: z.boolean(),
  /** The call's deadline and what happens when it passes (its tool's `timeout`); null without one. */
  timeout: gateDeadlineSchema.nullable(),
  /** Set once a lapsed deadline escalated the call: only `escalation.to` may decide it now. */
  escalation: escalationSchema.nullable(),
});

/**
 * Where a tool call is in its life. `awaiting`: gated, waiting for a human. `queued`: approved
 * (or ungated) and not started. `running`: started, no result stored yet (stored before the tool
 * runs, so a crash leaves it uncertain, never silently runnable). `done`: a result (or error) is
 * stored. `rejected`: never executed.
 */
export const toolCallPhaseSchema = z.enum(["awaiting", "queued", "running", "done", "rejected"]);

export const toolExecutionStateSchema = z.object({
  toolCallId: z.string(),
  toolName: z.string(),
  toolArgs: jsonObjectSchema,
  phase: toolCallPhaseSchema,
  result: z.string().nullable(),
  error: z.string().nullable(),
  /** The gate that stood before this call; its decision lives on the matching requirement. */
  gate: z.enum(["none", ...REQUIREMENT_KINDS]),
  /** JSON Schema of the values a human must supply (user-input gate only). */
  userInputSchema: jsonObjectSchema.nullable(),
  /** Where the tool comes from (e.g. "mcp:weather"); null for a tool defined in code. */
  origin: z.string().nullable(),
  /**
   * The digest of the tool's definition the call's approval is pinned to (tools whose definition
   * lives elsewhere, such as on an MCP server); checked again right before the call runs.
   */
  definitionDigest: z.string().nullable(),
  /** Whether a person may approve the call with edited arguments (a confirmation gate whose tool allows it). */
  editableArgs: z.boolean(),
  /** The arguments the model proposed, when a person approved the call with edited ones (now `toolArgs`); else null. */
  proposedArgs: jsonObjectSchema.nullable(),
  /**
   * A call of a tool made by `agent.asTool()`: the run of that agent, kept inside this run (one
   * row, one claim, stored in the same writes); null for every other tool, and before it starts.
   */
  get subRun() {
    return agentRunStateSchema.nullable();
  },
});

/** The names from a run's agent through each agent it called as a tool to the tool: a call's path. */
export const callPathSchema = z.array(z.string()).min(1);

/**
 * The tool calls of the model turn being worked through (they still need results): where a paused
 * run stopped, or, while it runs, the batch its last checkpoint was in.
 */
export const agentCursorSchema = z.object({
  phase: z.literal("tools"),
  toolCallIds: z.array(z.string()),
});

export const runErrorSchema = z.object({ code: z.string(), message: z.string() });

/**
 * Where the run's chain of entries in the decisions table ends: how many there are and the hash
 * of the last (null before the first). The claim that stores a decision advances both.
 */
export function auditChain() {
  return { auditSeq: z.number().int().nonnegative(), auditHead: z.string().nullable() };
}

/** Tokens summed over a run's model calls (a workflow's: over its steps' agent runs). */
export const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});

export const agentRunStateSchema = z.object({
  schemaVersion: z.literal(AGENT_RUN_SCHEMA_VERSION),
  kind: z.literal("agent"),
  runId: z.string().min(1),
  sessionId: z.string().min(1),
  userId: z.string().nullable(),
  agentId: z.string(),
  agentName: z.string(),
  /** The workflow run this agent run belongs to (it answers to that run's pauses), else null. */
  parentRunId: z.string().nullable(),
  /** The fingerprint of the agent definition (tools, gates, parameters) that ran it; null if unknown. */
  fingerprint: z.string().nullable(),
  status: runStatusSchema,
  content: z.string().nullable(),
  messages: z.array(messageSchema),
  tools: z.array(toolExecutionStateSchema),
  requirements: z.array(requirementStateSchema),
  cursor: agentCursorSchema.nullable(),
  turns: z.number().int().nonnegative(),
  error: runErrorSchema.nullable(),
  usage: usageSchema,
  ...auditChain(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
