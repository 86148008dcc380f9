export type { AgentRunStream } from "./agent.js";
export {
  Agent,
  type AgentOptions,
  type AgentToolOptions,
  type ContinueOptions,
  type RunOptions,
} from "./agent.js";
export { agentAtPath, toolAtPath } from "./agent-tool.js";
export type { ContinueRunRef, ToolDecisionInput } from "./continue-input.js";
export { type LapseTarget, lapseToolCall, reminderOf } from "./deadlines.js";
export type { AgentEvent, AgentEventListener, AgentEventName, PausedToolCall } from "./events.js";
export type { AgentRecovery, RecoveredRun } from "./recover.js";
export { RunOutput } from "./run-output.js";
export { RunRequirement } from "./run-requirement.js";
export { ToolExecution } from "./tool-execution.js";
export { continueTaken, type TreeTake, takeInTree } from "./tree-take.js";
