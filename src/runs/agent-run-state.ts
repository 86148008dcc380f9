import type { z } from "zod";
import type * as schema from "./agent-run-schema.js";

/**
 * The types of a stored agent run, inferred from its one zod schema in agent-run-schema.ts, and
 * the constants that schema is built from. This file loads no zod: everything that only needs
 * the types or the constants (most of kern) imports from here, and the schemas themselves load
 * on first use through `runSchemas()`.
 */

export const RUN_STATUSES = ["pending", "running", "paused", "completed", "cancelled", "error"] as const;
export type RunStatus = z.infer<typeof schema.runStatusSchema>;

/** What a person decided about one gated tool call: confirm, reject (with feedback), input values, or the result of a call run elsewhere. */
export type ToolDecision = z.infer<typeof schema.toolDecisionSchema>;

export const REQUIREMENT_KINDS = ["confirmation", "userInput", "externalExecution"] as const;
export type RequirementKind = z.infer<typeof schema.requirementKindSchema>;

export type RequirementState = z.infer<typeof schema.requirementStateSchema>;

/** Where a tool call is in its life (see `toolCallPhaseSchema`). */
export type ToolCallPhase = z.infer<typeof schema.toolCallPhaseSchema>;

export type ToolExecutionState = z.infer<typeof schema.toolExecutionStateSchema>;

/** Where a paused run stopped: the tool calls of one model turn that still need results. */
export type AgentCursor = z.infer<typeof schema.agentCursorSchema>;

/**
 * Version 2 added the `queued` tool-call phase, running checkpoints and `fingerprint`; version 3
 * replaced a requirement's `resolution` with a `decision` in kern's one vocabulary.
 */
export const AGENT_RUN_SCHEMA_VERSION = 3;

export type AgentRunState = z.infer<typeof schema.agentRunStateSchema>;
