/**
 * kern's core: agents, tools, the in-memory store and the error classes. Provider adapters and
 * database drivers live behind their own subpaths (`kern/models/openai`, `kern/db/sqlite`).
 */
export * from "./agent/index.js";
export type {
  Db,
  DecisionFilter,
  DecisionRecord,
  PendingFilter,
  PendingRequirementRecord,
  PendingRequirementRow,
  RunFilter,
  RunKind,
  RunRecord,
  RunSummary,
  RunWrite,
} from "./db/db.js";
export { InMemoryDb } from "./db/memory/index.js";
export * from "./errors.js";
export type {
  Model,
  ModelClock,
  ModelMessage,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  ModelToolCall,
  ModelToolSpec,
  ModelUsage,
} from "./models/index.js";
export type {
  AnyGatePolicy,
  DecidedBy,
  GateEscalation,
  GateReminder,
  GateTimeout,
  PolicyAnswer,
  PolicyVerdict,
  Principal,
  RunStatus,
  SkippedRun,
  StepDecision,
  StepPolicy,
  StepPolicyContext,
  TimeoutOutcome,
  ToolDecision,
  ToolPolicy,
  ToolPolicyContext,
} from "./runs/index.js";
export { type ChainVerdict, INPUT_LIMITS, verifyDecisionChain } from "./runs/index.js";
export * from "./tools/index.js";
export * from "./workflow/index.js";
