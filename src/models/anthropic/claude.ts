import Anthropic from "@anthropic-ai/sdk";
import type { Message, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { ConfigurationError, ModelError } from "../../errors.js";
import type { Model, ModelRequest, ModelResponse, ModelStreamEvent } from "../model.js";
import {
  type FailureContext,
  PROVIDER,
  modelError,
  stopReasonError,
  toThrownError,
} from "./claude-errors.js";
import { fromMessage, toMessageParams, toTools } from "./claude-mapping.js";
import { MessageStreamReader } from "./claude-stream.js";

/** `max_tokens` sent when the options do not set one; the Messages API requires a value. */
export const DEFAULT_MAX_TOKENS = 4096;

/** Options for {@link Claude}. Only `id` is required. */
export interface ClaudeOptions {
  /** The model id, e.g. "claude-sonnet-4-5". */
  id: string;
  /** Defaults to the `ANTHROPIC_API_KEY` environment variable, read at the first request. */
  apiKey?: string | undefined;
  /** Defaults to `ANTHROPIC_BASE_URL`, then https://api.anthropic.com (without `/v1`). */
  baseURL?: string | undefined;
  /** The most tokens one answer may use, sent as `max_tokens`; defaults to 4096. */
  maxTokens?: number | undefined;
  /** Retries the SDK makes on 408/409/429/5xx and connection errors; the SDK default is 2. */
  maxRetries?: number | undefined;
  /** Per-request timeout in milliseconds; the SDK default is 10 minutes. */
  timeoutMs?: number | undefined;
  temperature?: number | undefined;
  /**
   * A ready-made SDK client (for a proxy or custom fetch). When given, `apiKey`, `baseURL`,
   * `maxRetries` and `timeoutMs` must be set on that client instead.
   */
  client?: Anthropic | undefined;
}

/**
 * A kern {@link Model} backed by Anthropic's Messages API through the official SDK. Every turn
 * sends the whole conversation, so a paused run can be continued by any process holding the
 * stored messages.
 *
 * Construction never touches the network or the environment; the SDK client is created at the
 * first request, which is also when a missing API key is reported.
 *
 * @example
 * ```ts
 * import { Claude } from "kern/models/anthropic";
 *
 * const model = new Claude({ id: "claude-sonnet-4-5" }); // reads ANTHROPIC_API_KEY when first used
 * const reply = await model.generate({
 *   instructions: "Answer in one word.",
 *   messages: [{ role: "user", content: "Capital of France?" }],
 *   tools: [],
 * });
 * console.log(reply.text);
 * ```
 */
export class Claude implements Model {
  readonly provider = PROVIDER;
  readonly id: string;
  readonly #options: ClaudeOptions;
  readonly #maxTokens: number;
  #client: Anthropic | undefined;

  constructor(options: ClaudeOptions) {
    if (options.id.trim() === "") {
      throw new ConfigurationError(
        'Claude needs a model id, e.g. new Claude({ id: "claude-sonnet-4-5" }).',
      );
    }
    const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
    if (!Number.isInteger(maxTokens) || maxTokens < 1) {
      throw new ConfigurationError(
        `Claude's maxTokens must be a positive whole number of tokens, not ${String(maxTokens)}.`,
      );
    }
    if (options.client !== undefined) {
      const ignored = (["apiKey", "baseURL", "maxRetries", "timeoutMs"] as const).filter(
        (key) => options[key] !== undefined,
      );
      if (ignored.length > 0) {
        throw new ConfigurationError(
          `Claude was given a client and ${ignored.join(", ")}; the client's own settings win, ` +
            `so set ${ignored.join(", ")} on the Anthropic client instead.`,
        );
      }
    }
    this.id = options.id;
    this.#options = { ...options };
    this.#maxTokens = maxTokens;
    this.#client = options.client;
  }

  /** Runs one model turn and returns its text, tool calls and token usage. */
  async generate(request: ModelRequest): Promise<ModelResponse> {
    const client = this.#getClient();
    const context = this.#failureContext(client, request.signal);
    const body = this.#body(request);
    let message: Message;
    try {
      message = await client.messages.create(body, { signal: request.signal });
    } catch (error) {
      throw toThrownError(error, context);
    }
    const stopped = stopReasonError(message.stop_reason, this.#maxTokens, context);
    if (stopped !== undefined) throw stopped;
    return fromMessage(message);
  }

  /**
   * Runs one model turn as a stream: `text-delta` events as text arrives, then exactly one
   * `response` event built the same way as {@link Claude.generate}'s result.
   */
  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const client = this.#getClient();
    const context = this.#failureContext(client, request.signal);
    const body = this.#body(request);
    const reader = new MessageStreamReader(context, (stopReason) =>
      stopReasonError(stopReason, this.#maxTokens, context),
    );
    let completed = false;
    try {
      const events = await client.messages.create(
        { ...body, stream: true },
        { signal: request.signal },
      );
      for await (const event of events) {
        if (completed) continue;
        // The SDK may still hand out events it had buffered when the signal fired.
        if (request.signal?.aborted === true) break;
        const output = reader.read(event);
        if (output === undefined) continue;
        if (output.type === "response") completed = true;
        yield output;
      }
    } catch (error) {
      throw toThrownError(error, context);
    }
    if (completed) return;
    // The SDK ends a stream quietly when its signal aborts; report the abort, not a dropped stream.
    if (request.signal?.aborted === true) throw request.signal.reason;
    throw modelError(
      "Anthropic's stream ended before message_stop; the connection may have dropped, " +
        "retry the turn.",
      undefined,
      undefined,
      context,
    );
  }

  #body(request: ModelRequest): MessageCreateParamsNonStreaming {
    const tools = toTools(request.tools);
    const { temperature } = this.#options;
    const system = request.instructions;
    return {
      model: this.id,
      max_tokens: this.#maxTokens,
      ...(system === undefined || system === "" ? {} : { system }),
      messages: toMessageParams(request.messages),
      ...(tools.length === 0 ? {} : { tools }),
      ...(temperature === undefined ? {} : { temperature }),
    };
  }

  #getClient(): Anthropic {
    if (this.#client !== undefined) return this.#client;
    const { apiKey, baseURL, maxRetries, timeoutMs } = this.#options;
    const key = apiKey ?? process.env["ANTHROPIC_API_KEY"]?.trim();
    if (key === undefined || key === "") {
      throw new ModelError(
        "No Anthropic API key: set the ANTHROPIC_API_KEY environment variable or pass apiKey " +
          "to new Claude({ id, apiKey }).",
        { provider: PROVIDER },
      );
    }
    try {
      // The key is always passed explicitly, so the SDK never falls back to its profile and
      // credential-file lookup: what kern reports as "no key" is what the SDK would use.
      this.#client = new Anthropic({ apiKey: key, baseURL, maxRetries, timeout: timeoutMs });
    } catch (error) {
      throw toThrownError(error, { signal: undefined, apiKey: key, baseURL: "", timeoutMs });
    }
    return this.#client;
  }

  #failureContext(client: Anthropic, signal: AbortSignal | undefined): FailureContext {
    return {
      signal,
      apiKey: client.apiKey,
      baseURL: client.baseURL,
      timeoutMs: this.#options.timeoutMs,
    };
  }
}
