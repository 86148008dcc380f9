import type OpenAI from "openai";
import type {
  Response,
  ResponseCreateParamsNonStreaming,
  ResponseStreamEvent,
} from "openai/resources/responses/responses";
import type { ReasoningEffort } from "openai/resources/shared";
import type { Model, ModelRequest, ModelResponse, ModelStreamEvent } from "../model.js";
import {
  type FailureContext,
  PROVIDER,
  modelError,
  toThrownError,
  unfinishedResponseError,
} from "./responses-errors.js";
import { LazyOpenAIClient } from "./client.js";
import { fromResponse, toFunctionTools, toInputItems } from "./responses-mapping.js";

/** How hard a reasoning model thinks before it answers. */
export type OpenAIReasoningEffort = Exclude<ReasoningEffort, null>;

/** Options for {@link OpenAIResponses}. Only `id` is required. */
export interface OpenAIResponsesOptions {
  /** The model id, e.g. "gpt-5.4". */
  id: string;
  /** Defaults to the `OPENAI_API_KEY` environment variable, read at the first request. */
  apiKey?: string | undefined;
  /** Defaults to `OPENAI_BASE_URL`, then https://api.openai.com/v1. */
  baseURL?: string | undefined;
  /** Retries the SDK makes on 408/409/429/5xx and connection errors; the SDK default is 2. */
  maxRetries?: number | undefined;
  /** Per-request timeout in milliseconds; the SDK default is 10 minutes. */
  timeoutMs?: number | undefined;
  temperature?: number | undefined;
  /** Sent as `reasoning: { effort }`; only for reasoning models. */
  reasoningEffort?: OpenAIReasoningEffort | undefined;
  /**
   * A ready-made SDK client (for a proxy, Azure, or custom fetch). When given, `apiKey`,
   * `baseURL`, `maxRetries` and `timeoutMs` must be set on that client instead.
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
    this.#connection = new LazyOpenAIClient("OpenAIResponses", options, false);
    this.id = options.id;
    this.#options = { ...options };
  }


  /** Runs one model turn and returns its text, tool calls and token usage. */
  async generate(request: ModelRequest): Promise<ModelResponse> {
    const client = this.#connection.get();
    const context = this.#connection.failureContext(client, request.signal);
    let response: Response;
    try {
      response = await client.responses.create(this.#body(request), { signal: request.signal });
    } catch (error) {
      throw toThrownError(error, context);
    }
    const unfinished = unfinishedResponseError(response, context);
    if (unfinished !== undefined) throw unfinished;
    return fromResponse(response);
  }

  /**
   * Runs one model turn as a stream: `text-delta` events as text arrives, then exactly one
   * `response` event built the same way as {@link OpenAIResponses.generate}'s result.
   */
  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const client = this.#connection.get();
    const context = this.#connection.failureContext(client, request.signal);
    let completed = false;
    try {
      const events = await client.responses.create(
        { ...this.#body(request), stream: true },
        { signal: request.signal },
      );
      for await (const event of events) {
        if (completed) continue;
        const output = readStreamEvent(event, context);
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
      "OpenAI's stream ended before response.completed; the connection may have dropped, " +
        "retry the turn.",
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
function readStreamEvent(
  event: ResponseStreamEvent,
  context: FailureContext,
): ModelStreamEvent | undefined {
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
      throw modelError(
        `OpenAI reported an error mid-stream: ${event.message}`,
        undefined,
        undefined,
        context,
      );
    default:
      return undefined;
  }
}
