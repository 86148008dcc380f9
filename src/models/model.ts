/**
 * The small model interface the core owns. Provider adapters (`kern/models/openai`, ...)
 * implement it; the core never imports a provider SDK.
 */

/** A tool call the model asked for. `arguments` is the raw JSON text the model produced. */
export interface ModelToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** One entry of the conversation, in provider-neutral form. */
export type ModelMessage =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls: ModelToolCall[] }
  | { role: "tool"; toolCallId: string; toolName: string; content: string };

/** A tool as the model sees it: a JSON Schema accepted by OpenAI's strict function mode. */
export interface ModelToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  strict: boolean;
}

export interface ModelRequest {
  instructions: string | undefined;
  messages: ModelMessage[];
  tools: ModelToolSpec[];
  signal?: AbortSignal | undefined;
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
}

/** One full model turn: text, tool calls, or both. */
export interface ModelResponse {
  text: string;
  toolCalls: ModelToolCall[];
  usage?: ModelUsage | undefined;
}

/** What a streaming model yields: text as it arrives, then exactly one final response. */
export type ModelStreamEvent = { type: "text-delta"; delta: string } | { type: "response"; response: ModelResponse };

export interface Model {
  /** Short provider name used in errors, e.g. "openai". */
  readonly provider: string;
  /** The model id, e.g. "gpt-5.4". */
  readonly id: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
  stream(request: ModelRequest): AsyncIterable<ModelStreamEvent>;
}
