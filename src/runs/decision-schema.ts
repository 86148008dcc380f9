import { z } from "zod";
import { REQUIREMENT_KINDS, TIMEOUT_OUTCOMES, type TimeoutRule, type TimeoutThen } from "./agent-run-state.js";

/**
 * The decision vocabulary shared by tool calls and workflow gates, with what a decision carries
 * along (deadlines, escalation, who decided, when it paused). A leaf like agent-run-schema.ts,
 * which re-exports it: only {@link runSchemas} loads it, on first use.
 */

/**
 * A JSON object, kept as it is: z.record and z.object rebuild objects key by key and drop a key
 * named "__proto__" (a form field may be called that), so plain objects pass through unchanged.
 */
export const jsonObjectSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  { message: "Invalid input: expected an object" },
);

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
