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
