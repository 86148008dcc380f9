/**
 * Reads the stream parts of an AI SDK provider model (`doStream`) into kern stream events. Text
 * arrives as `text-delta` parts; each tool call arrives whole as one `tool-call` part once its
 * input is complete (the `tool-input-*` parts before it are previews kern does not need); the
 * `finish` part carries the finish reason and usage.
 */
import type { LanguageModelV3FinishReason, LanguageModelV3StreamPart, LanguageModelV3Usage } from "@ai-sdk/provider";
import type { ModelResponse, ModelStreamEvent, ModelToolCall } from "../model.js";
import { providerModelError } from "../provider-errors.js";
import { type FailureContext, finishReasonError, type ProviderNames, streamError } from "./ai-sdk-errors.js";
import { readUsage, toolCall, withUsage } from "./ai-sdk-mapping.js";

/**
 * The state of one streamed turn. Feed it every part with {@link StreamPartReader.read}; it
 * returns a `text-delta` for each piece of text. When the stream is over, {@link response} gives
 * the final response, or throws when the turn did not finish properly.
 */
export class StreamPartReader {
  readonly #names: ProviderNames;
  readonly #context: FailureContext;
  readonly #toolCalls: ModelToolCall[] = [];
  #text = "";
  #finish: { finishReason: LanguageModelV3FinishReason; usage: LanguageModelV3Usage } | undefined;

  constructor(names: ProviderNames, context: FailureContext) {
    this.#names = names;
    this.#context = context;
  }

  /** The kern event for one part, `undefined` for parts that only update the state. */
  read(part: LanguageModelV3StreamPart): ModelStreamEvent | undefined {
    switch (part.type) {
      case "text-delta":
        this.#text += part.delta;
        return part.delta === "" ? undefined : { type: "text-delta", delta: part.delta };
      case "tool-call":
        if (part.providerExecuted !== true) this.#toolCalls.push(toolCall(part));
        return undefined;
      case "finish":
        this.#finish = { finishReason: part.finishReason, usage: part.usage };
        return undefined;
      case "error":
        throw streamError(part.error, this.#names, this.#context);
      default:
        // Reasoning, tool input previews, sources, files, metadata: nothing kern hands on.
        return undefined;
    }
  }

  /**
   * The turn as one response, the same as `generate` gives. A stream that ended without a
   * `finish` part, or whose finish says nothing about why the turn ended (what the provider
   * packages report when the connection closed before the provider's closing event), is a
   * dropped stream, not an answer: a cut tool call would carry broken arguments.
   */
  response(): ModelResponse {
    const finish = this.#finish;
    const { unified, raw } = finish?.finishReason ?? { unified: "other", raw: undefined };
    if (finish === undefined || (unified === "other" && raw === undefined)) {
      throw providerModelError(
        this.#names,
        `${this.#names.label}'s stream ended before the model finished its turn; the connection may have ` +
          `dropped, retry the turn.`,
        undefined,
        undefined,
        this.#context,
      );
    }
    const unfinished = finishReasonError(finish.finishReason, this.#names, this.#context);
    if (unfinished !== undefined) throw unfinished;
    return withUsage({ text: this.#text, toolCalls: [...this.#toolCalls] }, readUsage(finish.usage));
  }
}
