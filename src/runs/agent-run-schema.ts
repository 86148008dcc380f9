import { z } from "zod";
import {
  AGENT_RUN_SCHEMA_VERSION,
  REQUIREMENT_KINDS,
  RUN_STATUSES,
  TIMEOUT_OUTCOMES,
  type TimeoutRule,
  type TimeoutThen,
} from "./agent-run-state.js";

/**
 * The one schema of a stored agent run; the types in agent-run-state.ts are inferred from it, and
 * `RunOutput`, `RunRequirement` and `ToolExecution` are thin views over this data.
 *
 * Only {@link runSchemas} loads this file, on first use, so `import "kern"` never pays for zod.
 * It must stay a leaf (zod, constants and types only): under tsx a required module is a second
 * instance of the one imported, so nothing whose identity matters may live here.
 */

export const runStatusSchema = z.enum(RUN_STATUSES);

/**
 * A JSON object, kept as it is: z.record and z.object rebuild objects key by key and drop a key
 * named "__proto__" (a form field may be called that), so plain objects pass through unchanged.
 */
const jsonObjectSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  { message: "Invalid input: expected an object" },
);

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

/**
 * The decisions of kern's one vocabulary, shared by tool calls and workflow gates (each gate kind
 * accepts some of them: see the requirement schemas). `feedback` on a rejection is told to the
 * model (a tool call) or follows the gate's onReject (a workflow gate).
 */
export const confirmDecisionSchema = z.object({ type: z.literal("confirm") });
export const rejectDecisionSchema = z.object({ type: z.literal("reject"), feedback: z.string().nullable() });
export const inputDecisionSchema = z.object({ type: z.literal("input"), values: jsonObjectSchema });
export const resultDecisionSchema = z.object({ type: z.literal("result"), result: z.string() });
/**
 * "Always allow this tool", asked for with an approval: later gated calls of the tool in the
 * scope (this run, its session, its user, or every run of the agent) whose arguments equal every
 * value of `argsMatch` (any arguments when null) are approved without a pause, until it expires
 * (`expiresInSeconds` after the continue that stores it) or is revoked.
 */
export const grantRequestSchema = z.strictObject({
  scope: z.enum(["run", "session", "user", "agent"]),
  argsMatch: jsonObjectSchema.nullable().optional(),
  expiresInSeconds: z.number().positive().nullable().optional(),
});

/**
 * Approving a tool call, optionally with corrected arguments (`args`: the whole object the tool
 * runs with, checked against its schema). Workflow gates take the plain confirmDecisionSchema.
 */
export const toolConfirmDecisionSchema = z.object({
  type: z.literal("confirm"),
  args: jsonObjectSchema.optional(),
  grant: grantRequestSchema.optional(),
});

/**
 * Recorded when a gate's deadline passed and what its timeout says (`timeout.onTimeout`) decided
 * instead of a person. kern's own: a decision a client sends is never one.
 */
export const timeoutDecisionSchema = z.object({ type: z.literal("timeout") });

/** What a person decided about one gated tool call: all a caller may send. */
export const personToolDecisionSchema = z.discriminatedUnion("type", [
  toolConfirmDecisionSchema,
  rejectDecisionSchema,
  inputDecisionSchema,
  resultDecisionSchema,
]);

/** What decided one gated tool call, as stored: a person, or the call's deadline. */
export const toolDecisionSchema = z.discriminatedUnion("type", [
  ...personToolDecisionSchema.options,
  timeoutDecisionSchema,
]);

export const timeoutOutcomeSchema = z.enum(TIMEOUT_OUTCOMES);

/** What happens when a deadline passes: an outcome, or escalation to other approvers (see gate-timeout.ts). */
export const timeoutThenSchema: z.ZodType<TimeoutThen> = z.lazy(() =>
  z.union([
    timeoutOutcomeSchema,
    z.object({ escalateTo: z.array(z.string().min(1)).min(1), timeout: timeoutRuleSchema.nullable() }),
  ]),
);

/** A timeout as a gate declares it, normalized: the wait in seconds, what then, reminders in between. */
export const timeoutRuleSchema: z.ZodType<TimeoutRule> = z.lazy(() =>
  z.object({ after: z.number().positive(), then: timeoutThenSchema, remindEvery: z.number().positive().nullable() }),
);

/**
 * A paused gate's deadline (ms since the epoch) and what happens when it passes (`onTimeout`).
 * `after` is the wait (seconds) the deadline was set with; `remindEvery` and `remindedAt` (ms) time
 * its reminders. The last three are null in state stored before them.
 */
export const gateDeadlineSchema = z.object({
  at: z.number(),
  onTimeout: timeoutThenSchema,
  after: z.number().nullable(),
  remindEvery: z.number().nullable(),
  remindedAt: z.number().nullable(),
});

/**
 * Where lapsed deadlines handed a gate: the level (1 for the first escalation), the approvers who
 * alone may decide it now (in place of the gate's own), when (ms), and how many seconds it had
 * waited before this level.
 */
export const escalationSchema = z.object({
  level: z.number().int().positive(),
  to: z.array(z.string().min(1)).min(1),
  at: z.number(),
  waited: z.number().nonnegative(),
});

export const requirementKindSchema = z.enum(REQUIREMENT_KINDS);

/**
 * Who decided: a principal (the `actor` of continueRun, or the signed-in user over HTTP), code that
 * continued the run without an actor, or a deadline. Shared by tool calls and workflow gates.
 */
export const decidedBySchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("principal"),
    id: z.string().min(1),
    roles: z.array(z.string()),
    name: z.string().nullable(),
  }),
  z.object({ kind: z.literal("code"), id: z.literal("kern:code"), roles: z.tuple([]) }),
  z.object({ kind: z.literal("timeout"), id: z.literal("kern:timeout"), roles: z.tuple([]) }),
  z.object({
    kind: z.literal("policy"),
    id: z.string().startsWith("kern:policy:"),
    roles: z.tuple([]),
    name: z.string(),
    reason: z.string().nullable(),
  }),
  z.object({
    kind: z.literal("grant"),
    id: z.string().startsWith("kern:grant:"),
    roles: z.tuple([]),
    grantId: z.string().min(1),
  }),
]);

/** Who decided a requirement and when (ISO 8601); both null until it is decided. */
export const decisionAuthorship = {
  decidedBy: decidedBySchema.nullable(),
  decidedAt: z.iso.datetime().nullable(),
};

/**
 * When a requirement paused its run (ms since the epoch), and the W3C traceparent of the span that
 * paused it (null without tracing), so the decision's "awaiting human" span can start then and
 * link to it, in whichever process applies the decision. Both null in state stored before them.
 */
export const pauseTrace = {
  pausedAt: z.number().nullable(),
  trace: z.string().nullable(),
};

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
});

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
