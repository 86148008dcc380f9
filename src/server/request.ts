import type { Context } from "hono";
import { z } from "zod";
// The same zod schemas the library validates decisions with (leaf modules, imported here directly).
import { toolDecisionInputSchema } from "../agent/agent-continue-input-schema.js";
import type { RunStatus } from "../runs/index.js";
import { decisionInputSchema } from "../workflow/workflow-continue-input-schema.js";
import { badRequest, notJson } from "./http-errors.js";

const RUN_STATUSES = [
  "pending",
  "running",
  "paused",
  "completed",
  "cancelled",
  "error",
] as const satisfies readonly RunStatus[];

const sessionId = z.string().min(1);

const startAgentRun = z.strictObject({
  input: z.string(),
  sessionId: sessionId.optional(),
  userId: z.string().min(1).optional(),
});

/** Bodies and queries of the endpoints. Unknown body keys are refused, so typos do not pass silently. */
export const schemas = {
  startAgentRun,
  startRun: startAgentRun.extend({ additionalData: z.record(z.string(), z.unknown()).optional() }),
  /** The decisions on the run's active pause (each tool call of an executor pause under its own id). */
  continueWorkflow: z.strictObject({ sessionId, decisions: z.array(decisionInputSchema).optional() }),
  continueAgent: z.strictObject({ sessionId, decisions: z.array(toolDecisionInputSchema).optional() }),
  cancel: z.strictObject({ sessionId, reason: z.string().optional() }),
  cancelAgent: z.strictObject({ sessionId }),
  /** `GET /api/decisions`: the decisions table, filtered and keyset paged. */
  decisionsQuery: z.object({
    kind: z.enum(["agent", "workflow"]).optional(),
    runId: z.string().min(1).optional(),
    actorId: z.string().min(1).optional(),
    since: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    after: z.string().min(1).optional(),
  }),
  verifyQuery: z.object({ kind: z.enum(["agent", "workflow"]), runId: z.string().min(1) }),
  /** `GET /api/grants`: standing approvals, filtered and keyset paged; `active=1` hides revoked and expired ones. */
  grantsQuery: z.object({
    agentId: z.string().min(1).optional(),
    toolName: z.string().min(1).optional(),
    createdBy: z.string().min(1).optional(),
    active: z.enum(["0", "1"]).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    after: z.string().min(1).optional(),
  }),
  /** `POST /api/decisions/links`: one open requirement, its approver and how long the link lives (seconds). */
  issueLink: z.strictObject({
    kind: z.enum(["agent", "workflow"]),
    ownerId: z.string().min(1),
    runId: z.string().min(1),
    sessionId,
    requirementId: z.string().min(1),
    approver: z.strictObject({
      id: z.string().min(1),
      roles: z.array(z.string()).optional(),
      name: z.string().optional(),
    }),
    expiresInSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 3600)
      .optional(),
  }),
  /** The body of `POST /api/decisions/:token`: the decision, as `continueRun` takes it. */
  linkWorkflow: z.strictObject({ decision: decisionInputSchema.shape.decision }),
  linkAgent: z.strictObject({ decision: toolDecisionInputSchema.shape.decision }),
  runQuery: z.object({ sessionId }),
  listQuery: z.object({
    status: z.enum(RUN_STATUSES).optional(),
    sessionId: sessionId.optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    offset: z.coerce.number().int().min(0).optional(),
  }),
  inboxQuery: z.object({
    kind: z.enum(["agent", "workflow"]).optional(),
    ownerId: z.string().min(1).optional(),
    requirementKind: z.string().min(1).optional(),
    createdBefore: z.coerce.number().int().optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    after: z.string().min(1).optional(),
    /** "1": only the rows the signed-in principal may decide. */
    decidable: z.enum(["0", "1"]).optional(),
  }),
  streamQuery: z.object({
    stream: z.enum(["0", "1", "true", "false"]).optional(),
    background: z.enum(["0", "1", "true", "false"]).optional(),
  }),
  /** `GET .../runs/:runId/events`: the run's stored events after `after`, as JSON or (`stream=1`) SSE. */
  eventsQuery: z.object({
    sessionId,
    after: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    stream: z.enum(["0", "1", "true", "false"]).optional(),
  }),
};

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid";
  const path = issue.path.join(".");
  return path === "" ? issue.message : `${path}: ${issue.message}`;
}

/** Parses and validates the JSON body; a malformed or mismatched body is a 400 that names the problem. */
export async function readBody<T extends z.ZodType>(c: Context, schema: T, endpoint: string): Promise<z.infer<T>> {
  if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) throw notJson(endpoint);
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch {
    throw badRequest(`${endpoint} takes a JSON body; the body sent is not valid JSON.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badRequest(`${endpoint}: the body is invalid (${describeIssue(parsed.error)}).`);
  return parsed.data;
}

/** Validates the query string, e.g. `?sessionId=` on run reads. */
export function readQuery<T extends z.ZodType>(c: Context, schema: T, endpoint: string): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw badRequest(`${endpoint}: the query is invalid (${describeIssue(parsed.error)}).`);
  return parsed.data;
}

/** True when the caller asked to run in the background with `?background=1` (answered 202 at once). */
export function wantsBackground(c: Context, endpoint: string): boolean {
  const { background } = readQuery(c, schemas.streamQuery, endpoint);
  return background === "1" || background === "true";
}

/** True when the caller asked for Server-Sent Events with `?stream=1`. */
export function wantsStream(c: Context, endpoint: string): boolean {
  const { stream } = readQuery(c, schemas.streamQuery, endpoint);
  return stream === "1" || stream === "true";
}

/** Drops keys whose value is undefined (the options types use exactOptionalPropertyTypes). */
export function defined<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
