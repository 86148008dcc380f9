/**
 * Pure translations between kern's provider-neutral model types and the Chat Completions wire
 * shapes, including the accumulation of a streamed turn. Nothing here talks to the network.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions/completions";
import type { CompletionUsage } from "openai/resources/completions";
import type { ModelMessage, ModelResponse, ModelToolCall, ModelToolSpec, ModelUsage } from "../model.js";

/** Why a choice stopped, as Chat Completions reports it (`null` while it is still going). */
export type ChatFinishReason = ChatCompletion.Choice["finish_reason"];

/**
 * Turns the instructions and the whole conversation into Chat Completions messages. The
 * instructions become a leading `system` message (every OpenAI-compatible server understands
 * `system`; `developer` is OpenAI-only). Each `tool` message follows the assistant turn whose
 * call it answers, as the API requires.
 */
export function toChatMessages(
  instructions: string | undefined,
  messages: readonly ModelMessage[],
): ChatCompletionMessageParam[] {
  const converted: ChatCompletionMessageParam[] = [];
  if (instructions !== undefined) converted.push({ role: "system", content: instructions });
  for (const message of messages) {
    switch (message.role) {
      case "user":
        converted.push({ role: "user", content: message.content });
        break;
      case "assistant": {
        if (message.toolCalls.length === 0) {
          converted.push({ role: "assistant", content: message.content });
          break;
        }
        // A turn that only called tools has no text; the API wants null there, not "".
        converted.push({
          role: "assistant",
          content: message.content === "" ? null : message.content,
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: "function",
            function: { name: call.name, arguments: call.arguments },
          })),
        });
        break;
      }
      case "tool":
        converted.push({
          role: "tool",
          tool_call_id: message.toolCallId,
          content: message.content,
        });
        break;
      default: {
        const unexpected: never = message;
        throw new TypeError(`Unknown model message role: ${JSON.stringify(unexpected)}`);
      }
    }
  }
  return converted;
}

/** Tool specs as Chat Completions function tools; the JSON Schema is passed through untouched. */
export function toChatTools(tools: readonly ModelToolSpec[]): ChatCompletionFunctionTool[] {
  return tools.map((tool) => ({
    type: "function",
    function: {
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
      strict: tool.strict,
    },
  }));
}

/**
 * Reads one model turn out of the first choice of a completion. `content` is null when the model
 * only called tools; custom (non-function) tool calls are skipped, since kern only offers
 * function tools.
 */
export function fromChatCompletion(choice: ChatCompletion.Choice, usage: CompletionUsage | undefined): ModelResponse {
  const toolCalls: ModelToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    if (call.type !== "function") continue;
    toolCalls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
  }
  return withUsage({ text: choice.message.content ?? "", toolCalls }, usage);
}

/** One tool call as its pieces arrive; `id` and `name` come in the first piece. */
interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Builds one model turn from the chunks of a streamed completion. Text is appended in order;
 * tool calls are keyed by their `index`, because only a call's first piece carries its id and
 * name and the rest carry bits of the arguments. With `stream_options.include_usage` the usage
 * arrives in a last chunk that has no choices.
 */
export class ChatStreamAccumulator {
  #text = "";
  readonly #toolCalls = new Map<number, PartialToolCall>();
  #usage: CompletionUsage | undefined;
  #finishReason: ChatFinishReason | undefined;

  /** Takes in one chunk and returns its text delta, or `undefined` when it carries no text. */
  add(chunk: ChatCompletionChunk): string | undefined {
    if (chunk.usage) this.#usage = chunk.usage;
    const choice = chunk.choices.find((candidate) => candidate.index === 0);
    if (choice === undefined) return undefined;
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      this.#finishReason = choice.finish_reason;
    }
    for (const piece of choice.delta.tool_calls ?? []) this.#addToolCallPiece(piece);
    const delta = choice.delta.content;
    if (typeof delta !== "string" || delta === "") return undefined;
    this.#text += delta;
    return delta;
  }

  /** The reason the first choice stopped, or `undefined` if the stream never said. */
  get finishReason(): ChatFinishReason | undefined {
    return this.#finishReason;
  }

  /** The turn so far, with tool calls in index order. */
  response(): ModelResponse {
    const toolCalls = [...this.#toolCalls.entries()]
      .sort(([left], [right]) => left - right)
      .map(([, call]) => ({ id: call.id, name: call.name, arguments: call.arguments }));
    return withUsage({ text: this.#text, toolCalls }, this.#usage);
  }

  #addToolCallPiece(piece: ChatCompletionChunk.Choice.Delta.ToolCall): void {
    let call = this.#toolCalls.get(piece.index);
    if (call === undefined) {
      call = { id: "", name: "", arguments: "" };
      this.#toolCalls.set(piece.index, call);
    }
    // Like the SDK's own stream helper: id and name replace, arguments append.
    if (piece.id) call.id = piece.id;
    if (piece.function?.name) call.name = piece.function.name;
    if (piece.function?.arguments) call.arguments += piece.function.arguments;
  }
}

function withUsage(
  turn: { text: string; toolCalls: ModelToolCall[] },
  usage: CompletionUsage | null | undefined,
): ModelResponse {
  if (!usage) return turn;
  const counted: ModelUsage = {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
  };
  return { ...turn, usage: counted };
}
