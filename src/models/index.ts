/** The timers a model call's `timeoutMs` and retry waits run on (an adapter's `clock` option). */
export type { ModelClock } from "./call-budget.js";
export type {
  Model,
  ModelMessage,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  ModelToolCall,
  ModelToolSpec,
  ModelUsage,
} from "./model.js";
