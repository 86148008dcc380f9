import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  SharedV3ProviderOptions,
} from "@ai-sdk/provider";
import { ConfigurationError } from "../../errors.js";
import { type BudgetSettings, budgetSettings, CallBudget, type ModelClock } from "../call-budget.js";
import type { Model, ModelRequest, ModelResponse, ModelStreamEvent } from "../model.js";
import { checkLanguageModel } from "./ai-sdk-check.js";
import {
  attemptFailure,
  type FailureContext,
  finishReasonError,
  interruption,
  type ProviderNames,
  providerNames,
  toThrownError,
} from "./ai-sdk-errors.js";
import { fromContent, toPrompt, toTools } from "./ai-sdk-mapping.js";
import { StreamPartReader } from "./ai-sdk-stream.js";

/** Options for {@link AiSdkModel}; all optional. */
export interface AiSdkModelOptions {
  /** The most tokens one answer may use; defaults to the provider package's own default. */
  maxOutputTokens?: number | undefined;
  temperature?: number | undefined;
  /**
   * Passed to every call as the spec's `providerOptions`, keyed by provider name, e.g.
   * `{ openai: { reasoningEffort: "low" } }` or `{ anthropic: { thinking: { type: "disabled" } } }`.
   */
  providerOptions?: SharedV3ProviderOptions | undefined;
  /**
   * How many times a failed attempt is retried (on 408, 409, 429, 5xx or a failed connection,
   * waiting as `retry-after` asks); defaults to 2. Provider packages do not retry by themselves,
   * so kern does, and retries and their waits all count against `timeoutMs`.
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
   * pass a clock they advance by hand, so a deadline fires when the test says.
   */
  clock?: ModelClock | undefined;
}

/**
 * A kern {@link Model} backed by any provider model of the Vercel AI SDK: an object implementing
 * the AI SDK's language model specification v3, which the `@ai-sdk/*` provider packages whose
 * `@ai-sdk/provider` is 3.x create (`@ai-sdk/openai` 3, `@ai-sdk/anthropic` 3, `@ai-sdk/google` 3,
 * `@ai-sdk/mistral` 3, `@ai-sdk/amazon-bedrock` 4, `@ai-sdk/openai-compatible` 2, ...). The `ai`
 * package is not needed. Every turn sends the whole conversation, so a paused run can be
 * continued by any process holding the stored messages.
 *
 * `provider` is the provider model's `provider` up to its first dot ("openai" for
 * "openai.responses"), `id` its `modelId`. The API key, base URL and fetch are the provider's
 * settings (`createOpenAI({ apiKey, baseURL })`); construction never touches the network.
 *
 * @example
 * ```ts
 * import { openai } from "@ai-sdk/openai";
 * import { AiSdkModel } from "kern/models/ai-sdk";
 *
 * const model = new AiSdkModel(openai("gpt-5.4")); // reads OPENAI_API_KEY when first used
 * const reply = await model.generate({
 *   instructions: "Answer in one word.",
 *   messages: [{ role: "user", content: "Capital of France?" }],
 *   tools: [],
 * });
 * console.log(reply.text, reply.usage);
 * ```
 */
export class AiSdkModel implements Model {
  readonly provider: string;
  readonly id: string;
  readonly #model: LanguageModelV3;
  readonly #options: AiSdkModelOptions;
  readonly #names: ProviderNames;
  readonly #budget: BudgetSettings;

  constructor(model: LanguageModelV3, options: AiSdkModelOptions = {}) {
    checkLanguageModel(model);
    const { maxOutputTokens } = options;
    if (maxOutputTokens !== undefined && !(Number.isInteger(maxOutputTokens) && maxOutputTokens >= 1)) {
      throw new ConfigurationError(
        `AiSdkModel's maxOutputTokens must be a positive whole number of tokens, not ${String(maxOutputTokens)}.`,
      );
    }
    this.#model = model;
    this.#options = { ...options };
    this.#names = providerNames(model.provider);
    this.#budget = budgetSettings("AiSdkModel", options);
    this.provider = this.#names.id;
    this.id = model.modelId;
  }

  /** Runs one model turn and returns its text, tool calls and token usage. */
  async generate(request: ModelRequest): Promise<ModelResponse> {
    const { budget, context } = this.#start(request.signal);
    let result: LanguageModelV3GenerateResult;
    try {
      const options = this.#callOptions(request);
      result = await budget.run((signal) => Promise.resolve(this.#model.doGenerate(withSignal(options, signal))));
    } catch (error) {
      throw toThrownError(error, this.#names, context);
    } finally {
      budget.end();
    }
    const unfinished = finishReasonError(result.finishReason, this.#names, context);
    if (unfinished !== undefined) throw unfinished;
    return fromContent(result.content, result.usage);
  }

  /**
   * Runs one model turn as a stream: `text-delta` events as text arrives, then exactly one
   * `response` event with the same text, tool calls and usage as {@link AiSdkModel.generate}
   * gives. The time budget covers the whole stream, up to its last part.
   */
  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const { budget, context } = this.#start(request.signal);
    const turn = new StreamPartReader(this.#names, context);
    try {
      const options = this.#callOptions(request);
      const { stream } = await budget.run((signal) =>
        Promise.resolve(this.#model.doStream(withSignal(options, signal))),
      );
      const parts = stream.getReader();
      let ended = false;
      try {
        for (;;) {
          const next = await parts.read();
          ended = next.done;
          // Stop at the end, or at the signal: a provider may still hand out parts it had buffered.
          if (next.done || budget.signal?.aborted === true) break;
          const event = turn.read(next.value);
          if (event !== undefined) yield event;
        }
      } finally {
        // A consumer that stopped early, an abort or an error must not leave the HTTP response open.
        if (!ended) await parts.cancel().catch(() => undefined);
        parts.releaseLock();
      }
    } catch (error) {
      throw toThrownError(error, this.#names, context);
    } finally {
      budget.end();
    }
    const interrupted = interruption(this.#names, context);
    if (interrupted !== undefined) throw interrupted;
    yield { type: "response", response: turn.response() };
  }

  #callOptions(request: ModelRequest): LanguageModelV3CallOptions {
    const tools = toTools(request.tools);
    const { maxOutputTokens, temperature, providerOptions } = this.#options;
    return {
      prompt: toPrompt(request.instructions, request.messages),
      ...(tools.length === 0 ? {} : { tools }),
      ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
      ...(temperature === undefined ? {} : { temperature }),
      ...(providerOptions === undefined ? {} : { providerOptions }),
    };
  }

  /** Starts one model call's time budget, and the failure context its errors are described with. */
  #start(signal: AbortSignal | undefined): { budget: CallBudget; context: FailureContext } {
    const budget = new CallBudget(this.#budget, signal, attemptFailure);
    // The key and base URL are the provider's settings, which kern never sees.
    return { budget, context: { signal, apiKey: undefined, baseURL: "", budget } };
  }
}

function withSignal(options: LanguageModelV3CallOptions, signal: AbortSignal | undefined): LanguageModelV3CallOptions {
  return signal === undefined ? options : { ...options, abortSignal: signal };
}
