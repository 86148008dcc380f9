import Anthropic from "@anthropic-ai/sdk";
import type { Message, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { ConfigurationError, ModelError } from "../../errors.js";
import { type BudgetSettings, budgetSettings, CallBudget, type ModelClock } from "../call-budget.js";
import type { Model, ModelRequest, ModelResponse, ModelStreamEvent } from "../model.js";
import {
  attemptFailure,
  type FailureContext,
  interruption,
  modelError,
  PROVIDER,
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
  /**
   * A ready-made SDK client (for a proxy or custom fetch). When given, `apiKey`, `baseURL`,
   * `maxRetries` and `timeoutMs` must be set on that client instead, and kern
   * adds no time budget of its own: as the SDK defines them, the client's timeout bounds each
   * attempt and its retries wait as long as `retry-after` asks.
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
  /** `undefined` for a client the user built: its own timeout and retries apply. */
  readonly #budget: BudgetSettings | undefined;
  #client: Anthropic | undefined;

  constructor(options: ClaudeOptions) {
    if (options.id.trim() === "") {
      throw new ConfigurationError('Claude needs a model id, e.g. new Claude({ id: "claude-sonnet-4-5" }).');
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
    this.#budget = options.client === undefined ? budgetSettings("Claude", options) : undefined;
    this.#client = options.client;
  }

  /** Runs one model turn and returns its text, tool calls and token usage. */
  async generate(request: ModelRequest): Promise<ModelResponse> {
    const { client, budget, context } = this.#start(request.signal);
    let message: Message;
    try {
      const body = this.#body(request);
      message = await budget.run((signal) => client.messages.create(body, { signal }));
    } catch (error) {
      throw toThrownError(error, context);
    } finally {
      budget.end();
    }
    const stopped = stopReasonError(message.stop_reason, this.#maxTokens, context);
    if (stopped !== undefined) throw stopped;
    return fromMessage(message);
  }

  /**
   * Runs one model turn as a stream: `text-delta` events as text arrives, then exactly one
   * `response` event built the same way as {@link Claude.generate}'s result. The time budget
   * covers the whole stream, up to its last event.
   */
  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const { client, budget, context } = this.#start(request.signal);
    const reader = new MessageStreamReader(context, (stopReason) =>
      stopReasonError(stopReason, this.#maxTokens, context),
    );
    let completed = false;
    try {
      const body = this.#body(request);
      const events = await budget.run((signal) => client.messages.create({ ...body, stream: true }, { signal }));
      for await (const event of events) {
        if (completed) continue;
        // The SDK may still hand out events it had buffered when the signal fired.
        if (budget.signal?.aborted === true) break;
        const output = reader.read(event);
        if (output === undefined) continue;
        if (output.type === "response") completed = true;
        yield output;
      }
    } catch (error) {
      throw toThrownError(error, context);
    } finally {
      budget.end();
    }
    if (completed) return;
    // The SDK ends a stream quietly when its signal aborts: report the abort or the timeout.
    const interrupted = interruption(context);
    if (interrupted !== undefined) throw interrupted;
    throw modelError(
      "Anthropic's stream ended before message_stop; the connection may have dropped, " + "retry the turn.",
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
    const { apiKey, baseURL, timeoutMs } = this.#options;
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
      // credential-file lookup: what kern reports as "no key" is what the SDK would use. kern
      // retries itself, within the call's budget (see call-budget.ts), so the SDK must not. The
      // timeout is passed only when set: without it the SDK refuses a non-streaming request that
      // could outlast its 10-minute default, which is the better advice.
      this.#client = new Anthropic({ apiKey: key, baseURL, maxRetries: 0, timeout: timeoutMs });
    } catch (error) {
      throw toThrownError(error, { signal: undefined, apiKey: key, baseURL: "", budget: undefined });
    }
    return this.#client;
  }

  /** Starts one model call: creates the client if needed and starts the call's time budget. */
  #start(signal: AbortSignal | undefined): { client: Anthropic; budget: CallBudget; context: FailureContext } {
    const client = this.#getClient();
    const budget = new CallBudget(this.#budget, signal, attemptFailure);
    return { client, budget, context: { signal, apiKey: client.apiKey, baseURL: client.baseURL, budget } };
  }
}
