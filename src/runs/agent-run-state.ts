import type { z } from "zod";
import type * as schema from "./agent-run-schema.js";

/**
 * The types of a stored agent run, inferred from its one zod schema in agent-run-schema.ts, and
 * the constants that schema is built from. This file loads no zod: everything that only needs
 * the types or the constants (most of kern) imports from here, and the schemas themselves load
 * on first use through `runSchemas()`.
 */

// The statuses belong to the store (a run's status column); run state shares them.
// biome-ignore lint/style/noRestrictedImports: the zod schema leaves load this file lazily, and the db front door loads a class (InMemoryDb); this module holds constants only
export { RUN_STATUSES, type RunStatus } from "../db/run-status.js";

/** What a person decided about one gated tool call: confirm, reject (with feedback), input values, or the result of a call run elsewhere. */
export type ToolDecision = z.infer<typeof schema.toolDecisionSchema>;

/** "Always allow this tool" asked for with an approval: a scope, optional argument values to match, an optional expiry. */
export type GrantRequest = z.infer<typeof schema.grantRequestSchema>;

export const REQUIREMENT_KINDS = ["confirmation", "userInput", "externalExecution"] as const;
export type RequirementKind = z.infer<typeof schema.requirementKindSchema>;

export type RequirementState = z.infer<typeof schema.requirementStateSchema>;

export type ToolExecutionState = z.infer<typeof schema.toolExecutionStateSchema>;

/** What a gate's lapsed deadline decides: approve, reject, skip (without running) or cancel the run. */
export const TIMEOUT_OUTCOMES = ["approve", "reject", "skip", "cancel"] as const;
export type TimeoutOutcome = (typeof TIMEOUT_OUTCOMES)[number];

/**
 * What happens when a gate's deadline passes, as stored: an outcome, or escalation to other
 * approvers (role names or principal ids), who get a deadline of their own (or none).
 */
export type TimeoutThen = TimeoutOutcome | { escalateTo: string[]; timeout: TimeoutRule | null };

/** A gate's timeout as stored: wait `after` seconds, then `then`; meanwhile remind every `remindEvery` seconds. */
export interface TimeoutRule {
  after: number;
  then: TimeoutThen;
  remindEvery: number | null;
}

/** A paused gate's current deadline (see `gateDeadlineSchema`). */
export type GateDeadline = z.infer<typeof schema.gateDeadlineSchema>;

/** Where a lapsed deadline handed a gate (see `escalationSchema`). */
export type Escalation = z.infer<typeof schema.escalationSchema>;

/**
 * Version 2 added the `queued` tool-call phase, running checkpoints and `fingerprint`; version 3
 * replaced a requirement's `resolution` with a `decision` in kern's one vocabulary; version 4
 * added who decided (`decidedBy`, `decidedAt`) and the run's place in the decisions table;
 * version 5 added token `usage`, and a tool call's `origin` and `definitionDigest` (the definition
 * its approval is pinned to) and a requirement's `definitionChanged`, and a requirement's deadline
 * and escalation (`timeout`, `escalation`; null when left out); version 6 added agents as tools:
 * a tool call's `subRun` (the run of the agent it calls, kept inside this run; null when left out).
 */
export const AGENT_RUN_SCHEMA_VERSION = 6;

export type AgentRunState = z.infer<typeof schema.agentRunStateSchema>;
