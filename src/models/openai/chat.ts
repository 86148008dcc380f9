import type OpenAI from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
} from "openai/resources/chat/completions/completions";
import type { ModelError } from "../../errors.js";
import type { ModelClock } from "../call-budget.js";
import type { Model, ModelRequest, ModelResponse, ModelStreamEvent } from "../model.js";
import {
  type ChatFinishReason,
  ChatStreamAccumulator,
  fromChatCompletion,
  toChatMessages,
  toChatTools,
} from "./chat-mapping.js";
import { LazyOpenAIClient } from "./client.js";
import type { OpenAIReasoningEffort } from "./responses.js";
import { type FailureContext, interruption, modelError, PROVIDER, toThrownError } from "./responses-errors.js";

/** Options for {@link OpenAIChat}. Only `id` is required. */
export interface OpenAIChatOptions {
  /** The model id, e.g. "gpt-5.4", or a local model such as "llama3.2". */
  id: string;
  /**
   * Defaults to the `OPENAI_API_KEY` environment variable, read at the first request. When a
   * base URL is set (option or `OPENAI_BASE_URL`) and there is no key, "not-needed" is sent.
   */
  apiKey?: string | undefined;
  /**
   * Any OpenAI-compatible server, e.g. "http://localhost:11434/v1" for Ollama. Defaults to
   * `OPENAI_BASE_URL`, then https://api.openai.com/v1.
   */
  baseURL?: string | undefined;
  /**
   * How many times a failed attempt is retried (on 408, 409, 429, 5xx or a failed connection,
   * the SDK's rules, waiting as `retry-after` asks); defaults to 2. Retries and their waits all
   * count against `timeoutMs`.
   */
  maxRetries?: number | undefined;
  /**
   * The most one call may take, in milliseconds: every attempt, the waits between retries and,
   * for `stream()`, the whole stream. Defaults to 10 minutes (600000). When it runs out, the
   * request is aborted and the call fails with a `ModelError`; a retry whose `retry-after` is
   * longer than what is left is not waited for: the call fails at once, naming the wait.
   */
  timeoutMs?: number | undefined;
  /**
   * The timers `timeoutMs` and the waits between retries run on; real ones by default. Tests
   * pass a clock they advance by hand, so a deadline fires when the test says. Unused with
   * `client` (kern adds no time budget then).
   */
  clock?: ModelClock | undefined;
  temperature?: number | undefined;
  /** Sent as `reasoning_effort`; only for reasoning models. */
  reasoningEffort?: OpenAIReasoningEffort | undefined;
  /**
   * A ready-made SDK client (for a proxy, Azure, or custom fetch). When given, `apiKey`,
   * `baseURL`, `maxRetries` and `timeoutMs` must be set on that client instead, and kern
   * adds no time budget of its own: as the SDK defines them, the client's timeout bounds each
   * attempt and its retries wait as long as `retry-after` asks.
   */
  client?: OpenAI | undefined;
}

/**
 * A kern {@link Model} backed by the Chat Completions API, which OpenAI and every
 * OpenAI-compatible server (Ollama, vLLM, llama.cpp server, LM Studio) speak. Every turn sends
 * the whole conversation, with the instructions as a leading `system` message.
 *
 * Construction never touches the network or the environment; the SDK client is created at the
 * first request, which is also when a missing API key is reported.
 *
 * @example
 * ```ts
 * import { OpenAIChat } from "kern/models/openai";
 *
 * const openai = new OpenAIChat({ id: "gpt-5.4" }); // reads OPENAI_API_KEY when first used
 * const ollama = new OpenAIChat({ id: "llama3.2", baseURL: "http://localhost:11434/v1" });
 * const reply = await ollama.generate({
 *   instructions: "Answer in one word.",
 *   messages: [{ role: "user", content: "Capital of France?" }],
 *   tools: [],
 * });
 * console.log(reply.text);
 * ```
 */
export class OpenAIChat implements Model {
  readonly provider = PROVIDER;
  readonly id: string;
  readonly #options: OpenAIChatOptions;
  readonly #connection: LazyOpenAIClient;

  constructor(options: OpenAIChatOptions) {
    this.#connection = new LazyOpenAIClient("OpenAIChat", options);
    this.id = options.id;
    this.#options = { ...options };
  }

  /** Runs one model turn and returns its text, tool calls and token usage. */
  async generate(request: ModelRequest): Promise<ModelResponse> {
    const { client, budget, context } = this.#connection.start(request.signal);
    let completion: ChatCompletion;
    try {
      const body = this.#body(request);
      completion = await budget.run((signal) => client.chat.completions.create(body, { signal }));
    } catch (error) {
      throw toThrownError(error, context);
    } finally {
      budget.end();
    }
    const choice = completion.choices.find((candidate) => candidate.index === 0);
    if (choice === undefined) {
      const message = "OpenAI returned a completion with no choices; retry the turn.";
      throw modelError(message, undefined, undefined, context);
    }
    const unfinished = finishReasonError(choice.finish_reason, context);
    if (unfinished !== undefined) throw unfinished;
    return fromChatCompletion(choice, completion.usage);
  }

  /**
   * Runs one model turn as a stream: `text-delta` events as text arrives, then exactly one
   * `response` event built from the streamed pieces, with usage when the server reports it. The
   * time budget covers the whole stream, up to its last event.
   */
  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const { client, budget, context } = this.#connection.start(request.signal);
    const turn = new ChatStreamAccumulator();
    try {
      const body = { ...this.#body(request), stream: true as const, stream_options: { include_usage: true } };
      const chunks = await budget.run((signal) => client.chat.completions.create(body, { signal }));
      for await (const chunk of chunks) {
        const delta = turn.add(chunk);
        if (delta !== undefined) yield { type: "text-delta", delta };
      }
    } catch (error) {
      throw toThrownError(error, context);
    } finally {
      budget.end();
    }
    // The SDK ends a stream quietly when its signal aborts: report the abort or the timeout.
    const interrupted = interruption(context);
    if (interrupted !== undefined) throw interrupted;
    if (turn.finishReason === undefined) {
      throw modelError(
        "OpenAI's stream ended before the model finished its turn; the connection may have " +
          "dropped, retry the turn.",
        undefined,
        undefined,
        context,
      );
    }
    const unfinished = finishReasonError(turn.finishReason, context);
    if (unfinished !== undefined) throw unfinished;
    yield { type: "response", response: turn.response() };
  }

  #body(request: ModelRequest): ChatCompletionCreateParamsNonStreaming {
    const tools = toChatTools(request.tools);
    const { temperature, reasoningEffort } = this.#options;
    return {
      model: this.id,
      messages: toChatMessages(request.instructions, request.messages),
      ...(tools.length === 0 ? {} : { tools }),
      ...(temperature === undefined ? {} : { temperature }),
      ...(reasoningEffort === undefined ? {} : { reasoning_effort: reasoningEffort }),
    };
  }
}

/**
 * A `ModelError` for a turn that stopped before it was complete, or `undefined` when it finished
 * normally. Truncated output is never handed on as a final answer: a cut tool call would carry
 * broken JSON arguments.
 */
function finishReasonError(reason: ChatFinishReason | null, context: FailureContext): ModelError | undefined {
  switch (reason) {
    case "length":
      return modelError(
        "OpenAI stopped the response before it was complete (finish_reason: length, the token " +
          "limit was reached); shorten the conversation or ask for a shorter answer.",
        undefined,
        undefined,
        context,
      );
    case "content_filter":
      return modelError(
        "OpenAI's content filter cut the response short (finish_reason: content_filter); " + "rephrase the request.",
        undefined,
        undefined,
        context,
      );
    default:
      return undefined;
  }
}
