import OpenAI from "openai";
import { ConfigurationError, ModelError } from "../../errors.js";
import { type BudgetSettings, budgetSettings, CallBudget, type ModelClock } from "../call-budget.js";
import { attemptFailure, type FailureContext, PROVIDER, toThrownError } from "./responses-errors.js";

/**
 * The API key sent when a base URL is set but no key is: local OpenAI-compatible servers
 * (Ollama, vLLM, llama.cpp server, LM Studio) ignore it, and the SDK refuses to start without one.
 */
export const PLACEHOLDER_API_KEY = "not-needed";

/** The connection options both OpenAI adapters take. */
export interface OpenAIConnectionOptions {
  id: string;
  apiKey?: string | undefined;
  baseURL?: string | undefined;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
  clock?: ModelClock | undefined;
  client?: OpenAI | undefined;
}

/** One model call: the client, its time budget (end it when the call is over) and its failure context. */
export interface OpenAICall {
  client: OpenAI;
  budget: CallBudget;
  context: FailureContext;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/**
 * The SDK client of one adapter: options are checked at construction, the client is created at
 * the first request (which is when a missing key is reported), and failures are described with
 * its settings. Shared by OpenAIResponses and OpenAIChat.
 */
export class LazyOpenAIClient {
  readonly #adapter: string;
  readonly #options: OpenAIConnectionOptions;
  /** `undefined` for a client the user built: its own timeout and retries apply. */
  readonly #budget: BudgetSettings | undefined;
  #client: OpenAI | undefined;

  constructor(adapter: string, options: OpenAIConnectionOptions) {
    if (options.id.trim() === "") {
      throw new ConfigurationError(`${adapter} needs a model id, e.g. new ${adapter}({ id: "gpt-5.4" }).`);
    }
    if (options.client !== undefined) {
      const ignored = (["apiKey", "baseURL", "maxRetries", "timeoutMs"] as const).filter(
        (key) => options[key] !== undefined,
      );
      if (ignored.length > 0) {
        throw new ConfigurationError(
          `${adapter} was given a client and ${ignored.join(", ")}; the client's own ` +
            `settings win, so set ${ignored.join(", ")} on the OpenAI client instead.`,
        );
      }
    }
    this.#adapter = adapter;
    this.#options = { ...options };
    this.#budget = options.client === undefined ? budgetSettings(adapter, options) : undefined;
    this.#client = options.client;
  }

  /** The SDK client, created on first use. */
  get(): OpenAI {
    if (this.#client !== undefined) return this.#client;
    const { apiKey, baseURL, timeoutMs } = this.#options;
    const resolvedBaseURL = nonEmpty(baseURL) ?? nonEmpty(process.env["OPENAI_BASE_URL"]);
    // Local servers (Ollama, vLLM, LM Studio) need a base URL but no key; the SDK refuses none.
    const placeholder = resolvedBaseURL !== undefined ? PLACEHOLDER_API_KEY : undefined;
    const key = nonEmpty(apiKey) ?? nonEmpty(process.env["OPENAI_API_KEY"]) ?? placeholder;
    if (key === undefined) {
      throw new ModelError(
        "No OpenAI API key: set the OPENAI_API_KEY environment variable or pass apiKey to " +
          `new ${this.#adapter}({ id, apiKey }). A local OpenAI-compatible server needs only baseURL.`,
        { provider: PROVIDER },
      );
    }
    try {
      // kern retries itself, within the call's budget (see call-budget.ts): the SDK must not.
      this.#client = new OpenAI({ apiKey: key, baseURL: resolvedBaseURL, maxRetries: 0, timeout: timeoutMs });
    } catch (error) {
      throw toThrownError(error, { signal: undefined, apiKey: key, baseURL: "", budget: undefined });
    }
    return this.#client;
  }

  /** Starts one model call: creates the client if needed and starts the call's time budget. */
  start(signal: AbortSignal | undefined): OpenAICall {
    const client = this.get();
    const budget = new CallBudget(this.#budget, signal, attemptFailure);
    return { client, budget, context: { signal, apiKey: client.apiKey, baseURL: client.baseURL, budget } };
  }
}
