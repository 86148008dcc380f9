import type OpenAI from "openai";
import type {
  Response,
  ResponseCreateParamsNonStreaming,
  ResponseStreamEvent,
} from "openai/resources/responses/responses";
import type { ReasoningEffort } from "openai/resources/shared";
import type { ModelClock } from "../call-budget.js";
import type { Model, ModelRequest, ModelResponse, ModelStreamEvent } from "../model.js";
import { LazyOpenAIClient } from "./client.js";
import {
  type FailureContext,
  interruption,
  modelError,
  PROVIDER,
  toThrownError,
  unfinishedResponseError,
} from "./responses-errors.js";
import { fromResponse, toFunctionTools, toInputItems } from "./responses-mapping.js";

/** How hard a reasoning model thinks before it answers. */
export type OpenAIReasoningEffort = Exclude<ReasoningEffort, null>;

/** Options for {@link OpenAIResponses}. Only `id` is required. */
export interface OpenAIResponsesOptions {
  /** The model id, e.g. "gpt-5.4". */
  id: string;
  /**
   * Defaults to the `OPENAI_API_KEY` environment variable, read at the first request. When a
   * base URL is set (option or `OPENAI_BASE_URL`) and there is no key, "not-needed" is sent, as
   * local servers that speak the Responses API (Ollama, vLLM, LM Studio) ignore it.
   */
  apiKey?: string | undefined;
  /** Any server that speaks the Responses API. Defaults to `OPENAI_BASE_URL`, then https://api.openai.com/v1. */
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
  /** Sent as `reasoning: { effort }`; only for reasoning models. */
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
 * A kern {@link Model} backed by OpenAI's Responses API. Every turn sends the whole conversation
 * with `store: false`, so nothing is kept on OpenAI's side and a paused run can be continued by
 * any process holding the stored messages.
 *
 * Construction never touches the network or the environment; the SDK client is created at the
 * first request, which is also when a missing API key is reported.
 *
 * @example
 * ```ts
 * import { OpenAIResponses } from "kern/models/openai";
 *
 * const model = new OpenAIResponses({ id: "gpt-5.4" }); // reads OPENAI_API_KEY when first used
 * const reply = await model.generate({
 *   instructions: "Answer in one word.",
 *   messages: [{ role: "user", content: "Capital of France?" }],
 *   tools: [],
 * });
 * console.log(reply.text);
 * ```
 */
export class OpenAIResponses implements Model {
  readonly provider = PROVIDER;
  readonly id: string;
  readonly #options: OpenAIResponsesOptions;
  readonly #connection: LazyOpenAIClient;

  constructor(options: OpenAIResponsesOptions) {
    this.#connection = new LazyOpenAIClient("OpenAIResponses", options);
    this.id = options.id;
    this.#options = { ...options };
  }

  /** Runs one model turn and returns its text, tool calls and token usage. */
  async generate(request: ModelRequest): Promise<ModelResponse> {
    const { client, budget, context } = this.#connection.start(request.signal);
    let response: Response;
    try {
      const body = this.#body(request);
      response = await budget.run((signal) => client.responses.create(body, { signal }));
    } catch (error) {
      throw toThrownError(error, context);
    } finally {
      budget.end();
    }
    const unfinished = unfinishedResponseError(response, context);
    if (unfinished !== undefined) throw unfinished;
    return fromResponse(response);
  }

  /**
   * Runs one model turn as a stream: `text-delta` events as text arrives, then exactly one
   * `response` event built the same way as {@link OpenAIResponses.generate}'s result. The time
   * budget covers the whole stream, up to its last event.
   */
  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const { client, budget, context } = this.#connection.start(request.signal);
    let completed = false;
    try {
      const body = this.#body(request);
      const events = await budget.run((signal) => client.responses.create({ ...body, stream: true }, { signal }));
      for await (const event of events) {
        if (completed) continue;
        const output = readStreamEvent(event, context);
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
      "OpenAI's stream ended before response.completed; the connection may have dropped, " + "retry the turn.",
      undefined,
      undefined,
      context,
    );
  }

  #body(request: ModelRequest): ResponseCreateParamsNonStreaming {
    const tools = toFunctionTools(request.tools);
    const { temperature, reasoningEffort } = this.#options;
    return {
      model: this.id,
      ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
      input: toInputItems(request.messages),
      ...(tools.length === 0 ? {} : { tools }),
      ...(temperature === undefined ? {} : { temperature }),
      ...(reasoningEffort === undefined ? {} : { reasoning: { effort: reasoningEffort } }),
      store: false,
    };
  }
}

/** The kern event for one SDK stream event, `undefined` for events kern ignores. */
function readStreamEvent(event: ResponseStreamEvent, context: FailureContext): ModelStreamEvent | undefined {
  switch (event.type) {
    case "response.output_text.delta":
      return { type: "text-delta", delta: event.delta };
    case "response.completed": {
      const unfinished = unfinishedResponseError(event.response, context);
      if (unfinished !== undefined) throw unfinished;
      return { type: "response", response: fromResponse(event.response) };
    }
    case "response.failed":
    case "response.incomplete":
      throw (
        unfinishedResponseError(event.response, context) ??
        modelError(`OpenAI ended the stream with ${event.type}.`, undefined, undefined, context)
      );
    case "error":
      throw modelError(`OpenAI reported an error mid-stream: ${event.message}`, undefined, undefined, context);
    default:
      return undefined;
  }
}
