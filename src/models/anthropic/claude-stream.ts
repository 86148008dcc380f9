/**
 * Reads the Messages API's raw stream events into kern stream events. Anthropic streams a message
 * as numbered content blocks: text arrives as `text_delta`s, a tool call's input as
 * `input_json_delta` pieces of JSON text that only parse once the block is complete.
 */
import type { RawMessageStreamEvent, StopReason } from "@anthropic-ai/sdk/resources/messages";
import type { ModelError } from "../../errors.js";
import type { ModelResponse, ModelStreamEvent, ModelToolCall } from "../model.js";
import { type FailureContext, modelError } from "./claude-errors.js";
import { readUsage, toolCall } from "./claude-mapping.js";

/** One content block as it builds up; blocks kern does not use (thinking, ...) are not kept. */
type Block =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown; json: string };

/** Whether the finished message may be used, given its stop reason. */
export type StopCheck = (stopReason: StopReason | null) => ModelError | undefined;

/**
 * The state of one streamed message. Feed it every SDK event with {@link MessageStreamReader.read};
 * it returns a `text-delta` for each piece of text, and the final `response` at `message_stop`.
 */
export class MessageStreamReader {
  readonly #blocks = new Map<number, Block>();
  readonly #context: FailureContext;
  readonly #checkStop: StopCheck;
  #stopReason: StopReason | null = null;
  #inputTokens: number | null = null;
  #outputTokens: number | null = null;

  constructor(context: FailureContext, checkStop: StopCheck) {
    this.#context = context;
    this.#checkStop = checkStop;
  }

  /** The kern event for one SDK event, `undefined` for events that only update the state. */
  read(event: RawMessageStreamEvent): ModelStreamEvent | undefined {
    switch (event.type) {
      case "message_start":
        this.#updateUsage(event.message.usage);
        return undefined;
      case "content_block_start":
        return this.#startBlock(event.index, event.content_block);
      case "content_block_delta":
        return this.#applyDelta(event.index, event.delta);
      case "message_delta":
        this.#stopReason = event.delta.stop_reason ?? this.#stopReason;
        this.#updateUsage(event.usage);
        return undefined;
      case "message_stop": {
        const stopped = this.#checkStop(this.#stopReason);
        if (stopped !== undefined) throw stopped;
        return { type: "response", response: this.#response() };
      }
      case "content_block_stop":
        return undefined;
      default:
        // Event types newer than this SDK's types: nothing kern needs.
        return undefined;
    }
  }

  #startBlock(
    index: number,
    block: Extract<RawMessageStreamEvent, { type: "content_block_start" }>["content_block"],
  ): ModelStreamEvent | undefined {
    if (block.type === "text") {
      this.#blocks.set(index, { type: "text", text: block.text });
      return block.text === "" ? undefined : { type: "text-delta", delta: block.text };
    }
    if (block.type === "tool_use") {
      const { id, name, input } = block;
      this.#blocks.set(index, { type: "tool_use", id, name, input, json: "" });
    }
    return undefined;
  }

  #applyDelta(
    index: number,
    delta: Extract<RawMessageStreamEvent, { type: "content_block_delta" }>["delta"],
  ): ModelStreamEvent | undefined {
    if (delta.type !== "text_delta" && delta.type !== "input_json_delta") return undefined;
    const block = this.#blocks.get(index);
    if (delta.type === "text_delta" && block?.type === "text") {
      block.text += delta.text;
      return delta.text === "" ? undefined : { type: "text-delta", delta: delta.text };
    }
    if (delta.type === "input_json_delta" && block?.type === "tool_use") {
      block.json += delta.partial_json;
      return undefined;
    }
    throw modelError(
      `Anthropic's stream sent a ${delta.type} for content block ${index}, which did not start ` +
        `as a matching block; the stream is out of order, retry the turn.`,
      undefined,
      undefined,
      this.#context,
    );
  }

  #updateUsage(usage: { input_tokens?: number | null; output_tokens?: number | null } | null | undefined): void {
    // Usage in message_delta is cumulative, so the latest value of each count wins.
    this.#inputTokens = usage?.input_tokens ?? this.#inputTokens;
    this.#outputTokens = usage?.output_tokens ?? this.#outputTokens;
  }

  #response(): ModelResponse {
    let text = "";
    const toolCalls: ModelToolCall[] = [];
    const indices = [...this.#blocks.keys()].sort((a, b) => a - b);
    for (const index of indices) {
      const block = this.#blocks.get(index);
      if (block?.type === "text") text += block.text;
      else if (block?.type === "tool_use") toolCalls.push(this.#toolCall(block));
    }
    const usage =
      this.#inputTokens === null && this.#outputTokens === null
        ? undefined
        : readUsage({ input_tokens: this.#inputTokens, output_tokens: this.#outputTokens });
    return usage === undefined ? { text, toolCalls } : { text, toolCalls, usage };
  }

  /**
   * The call with its input JSON reassembled. It goes through a parse so the arguments text is
   * the same as `generate` gives; JSON that does not parse is handed on as it came, and the agent
   * reports it as malformed arguments.
   */
  #toolCall(block: Extract<Block, { type: "tool_use" }>): ModelToolCall {
    if (block.json.trim() === "") return toolCall(block.id, block.name, block.input);
    try {
      return toolCall(block.id, block.name, JSON.parse(block.json) as unknown);
    } catch {
      return { id: block.id, name: block.name, arguments: block.json };
    }
  }
}
