/**
 * Turns whatever an AI SDK provider model throws into kern's {@link ModelError}, with a message
 * that says what happened and what to do. Provider packages report a failed HTTP call as the
 * spec's `APICallError` (with `statusCode` when a response came); everything else they throw
 * (a missing API key, a prompt the provider cannot take) is an `Error` whose message is kept.
 *
 * `APICallError.isInstance` is used rather than `instanceof`: it checks a marker symbol, so it
 * holds for an error from the copy of `@ai-sdk/provider` a provider package brought with it.
 */
import { APICallError, type LanguageModelV3FinishReason } from "@ai-sdk/provider";
import { ModelError } from "../../errors.js";
import {
  abortReason,
  budgetError,
  type FailureContext,
  interruptionError,
  type ProviderNames,
  providerModelError,
  statusMessage,
} from "../provider-errors.js";
import type { AttemptFailure } from "../retry-policy.js";

export type { FailureContext, ProviderNames };

const STATUS_HINTS: Readonly<Record<number, string>> = {
  401: "check the API key the provider was created with, or its environment variable",
  403: "check that this key may use the model",
  404: "check the model id and the provider's baseURL",
  413: "the request is too large; shorten the conversation",
  429: "wait and retry, or raise maxRetries",
  529: "the provider is overloaded; retry later, or raise maxRetries",
};

/**
 * How errors name a provider model: `id` is the part of its `provider` before the first dot
 * ("openai.chat" → "openai", as `ModelError.provider`), `label` the whole of it, so a message
 * says which of a package's APIs failed.
 */
export function providerNames(provider: string): ProviderNames {
  const id = provider.split(".")[0] ?? provider;
  // envPrefix only words provider-errors' connection message, which this adapter does not use:
  // the provider package reads its own environment variables.
  return { id: id === "" ? provider : id, label: provider, envPrefix: id.toUpperCase().replaceAll(/\W/g, "_") };
}

/**
 * Returns the error to throw for a failed call: the caller's abort reason when its signal fired
 * (never wrapped, so `AbortError` handling keeps working), an existing `ModelError` as is, the
 * time budget's `ModelError` when the call ran out of time or a retry would have waited past it,
 * and a new `ModelError` for everything else.
 */
export function toThrownError(error: unknown, names: ProviderNames, context: FailureContext): unknown {
  if (context.signal?.aborted === true) return abortReason(context.signal, error);
  if (error instanceof ModelError) return error;
  const stopped = budgetError(names, error, context, (cause) => toThrownError(cause, names, context));
  if (stopped !== undefined) return stopped;
  if (APICallError.isInstance(error)) return apiCallError(error, names, context);
  return providerModelError(names, `${names.label} request failed: ${describe(error)}`, undefined, error, context);
}

/** The caller's abort or the exhausted time budget that ended a stream; see {@link interruptionError}. */
export function interruption(names: ProviderNames, context: FailureContext): unknown {
  return interruptionError(names, context);
}

/**
 * A failed attempt as the retry rules see it: a response's status and headers, or no status for
 * a connection that failed. `undefined` for what is never retried (an abort, a bad prompt).
 */
export function attemptFailure(error: unknown): AttemptFailure | undefined {
  if (!APICallError.isInstance(error)) return undefined;
  if (error.statusCode === undefined) {
    return error.isRetryable ? { status: undefined, headers: undefined } : undefined;
  }
  return { status: error.statusCode, headers: new Headers(error.responseHeaders ?? {}) };
}

/**
 * A `ModelError` for a turn that must not be used as a final answer, or `undefined` when it may.
 * Output cut off by the token limit is never handed on: a cut tool call would carry broken
 * arguments, and cut text reads like a complete answer.
 */
export function finishReasonError(
  finishReason: LanguageModelV3FinishReason,
  names: ProviderNames,
  context: FailureContext,
): ModelError | undefined {
  const raw = finishReason.raw === undefined ? "" : `, ${finishReason.raw}`;
  switch (finishReason.unified) {
    case "length":
      return providerModelError(
        names,
        `${names.label} stopped at the token limit before finishing its answer (finish reason: length${raw}); ` +
          `raise maxOutputTokens on new AiSdkModel(model, { maxOutputTokens }), shorten the conversation, ` +
          `or ask for a shorter answer.`,
        undefined,
        undefined,
        context,
      );
    case "content-filter":
      return providerModelError(
        names,
        `${names.label} cut the response short (finish reason: content-filter${raw}); rephrase the request.`,
        undefined,
        undefined,
        context,
      );
    case "error":
      return providerModelError(
        names,
        `${names.label} ended the turn with an error (finish reason: error${raw}); retry the turn.`,
        undefined,
        undefined,
        context,
      );
    case "stop":
    case "tool-calls":
    case "other":
      return undefined;
    default: {
      const unexpected: never = finishReason.unified;
      return unexpected;
    }
  }
}

/** The `ModelError` for an `error` part in a provider's stream. */
export function streamError(error: unknown, names: ProviderNames, context: FailureContext): ModelError {
  if (APICallError.isInstance(error)) return apiCallError(error, names, context);
  const message = `${names.label} reported an error mid-stream: ${describe(error)}; retry the turn.`;
  return providerModelError(names, message, undefined, error, context);
}

function apiCallError(error: APICallError, names: ProviderNames, context: FailureContext): ModelError {
  const status = error.statusCode;
  if (status === undefined) {
    const message =
      `Could not connect to ${names.label} at ${endpoint(error.url)} (${error.message}); ` +
      `check the network and the baseURL the provider was created with.`;
    return providerModelError(names, message, undefined, error, context);
  }
  if (status < 400) {
    // A response came but the provider package could not read it (it validates every body).
    const cause = error.cause === undefined ? "" : `: ${firstLine(describe(error.cause))}`;
    const message =
      `${names.label} answered ${endpoint(error.url)} with ${status}, but its provider package could not ` +
      `read the response (${error.message}${cause}); check that the baseURL points at the provider's API.`;
    return providerModelError(names, message, undefined, error, context);
  }
  return providerModelError(names, statusMessage(names, status, error.message, STATUS_HINTS), status, error, context);
}

/** The URL without credentials or query (some providers put a key there), safe for a message. */
function endpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "the configured baseURL";
  }
}

/** An error's message, or a readable form of the object a provider streamed as its error. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null) {
    const { message, type, code } = error as Record<string, unknown>;
    const kind = [type, code].filter((value): value is string => typeof value === "string");
    if (typeof message === "string") return kind.length === 0 ? message : `${message} (${kind.join(", ")})`;
    return JSON.stringify(error);
  }
  return String(error);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
