/**
 * Turns whatever the Anthropic SDK throws into kern's {@link ModelError}, with a message that says
 * what happened and what to do, and never the API key.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import type { StopReason } from "@anthropic-ai/sdk/resources/messages";
import { ModelError } from "../../errors.js";
import {
  abortReason,
  budgetError,
  connectionMessage,
  type FailureContext,
  interruptionError,
  type ProviderNames,
  providerModelError,
  statusMessage,
  timeoutMessage,
} from "../provider-errors.js";
import type { AttemptFailure } from "../retry-policy.js";

export type { FailureContext };

const NAMES: ProviderNames = { id: "anthropic", label: "Anthropic", envPrefix: "ANTHROPIC" };
export const PROVIDER = NAMES.id;

const STATUS_HINTS: Readonly<Record<number, string>> = {
  401: "check ANTHROPIC_API_KEY or the apiKey option",
  403: "check that this key may use the model",
  404: "check the model id and the baseURL",
  413: "the request is too large; shorten the conversation",
  429: "wait and retry, or raise maxRetries",
  529: "Anthropic is overloaded; retry later, or raise maxRetries",
};

/**
 * Returns the error to throw for a failed request: the caller's abort reason when its signal
 * fired (never wrapped, so `AbortError` handling keeps working), an existing `ModelError` as is,
 * the time budget's `ModelError` when the call ran out of time or a retry would have waited past
 * it, and a new `ModelError` for everything else.
 */
export function toThrownError(error: unknown, context: FailureContext): unknown {
  if (context.signal?.aborted === true) return abortReason(context.signal, error);
  if (error instanceof ModelError) return error;
  const stopped = budgetError(NAMES, error, context, (cause) => toThrownError(cause, context));
  if (stopped !== undefined) return stopped;
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionTimeoutError)
    return modelError(timeoutMessage(NAMES, context), undefined, error, context);
  if (error instanceof APIConnectionError) {
    return modelError(connectionMessage(NAMES, context, error.message), undefined, error, context);
  }
  if (error instanceof APIError) return apiError(error, context);
  const detail = error instanceof Error ? error.message : String(error);
  // The SDK refuses a non-streaming request whose max_tokens could take over 10 minutes.
  const hint = /^Streaming is required/.test(detail)
    ? " (use stream()/runStream(), lower maxTokens, or set timeoutMs to allow a long request)"
    : "";
  return modelError(`Anthropic request failed: ${detail}${hint}`, undefined, error, context);
}

/** The caller's abort or the exhausted time budget that ended a stream quietly; see {@link interruptionError}. */
export function interruption(context: FailureContext): unknown {
  return interruptionError(NAMES, context);
}

/**
 * An SDK error as the retry rules see it: a response's status and headers, or no status for a
 * connection that failed. `undefined` for what is never retried (the caller's abort, a bug).
 */
export function attemptFailure(error: unknown): AttemptFailure | undefined {
  if (error instanceof APIUserAbortError) return undefined;
  if (error instanceof APIConnectionError) return { status: undefined, headers: undefined };
  if (error instanceof APIError && error.status !== undefined) return { status: error.status, headers: error.headers };
  return undefined;
}

/**
 * A `ModelError` for a message that arrived but must not be used as a final answer, or
 * `undefined` when it may. Output cut off by the token limit is never handed on: a cut tool call
 * would carry broken input, and cut text reads like a complete answer.
 */
export function stopReasonError(
  stopReason: StopReason | null,
  maxTokens: number,
  context: FailureContext,
): ModelError | undefined {
  switch (stopReason) {
    case "max_tokens":
      return modelError(
        `Claude stopped at the max_tokens limit (${maxTokens}) before finishing its answer; ` +
          `raise maxTokens on new Claude({ id, maxTokens }) or ask for a shorter answer.`,
        undefined,
        undefined,
        context,
      );
    case "model_context_window_exceeded":
      return modelError(
        "Claude stopped because the conversation filled its context window; " +
          "shorten the conversation or the tool results.",
        undefined,
        undefined,
        context,
      );
    case "refusal":
      return modelError(
        "Claude declined to continue this response (stop_reason: refusal).",
        undefined,
        undefined,
        context,
      );
    default:
      return undefined;
  }
}

/** Builds a `ModelError` whose message has the API key removed. */
export function modelError(
  message: string,
  status: number | undefined,
  cause: unknown,
  context: Pick<FailureContext, "apiKey">,
): ModelError {
  return providerModelError(NAMES, message, status, cause, context);
}

function apiError(error: APIError, context: FailureContext): ModelError {
  const detail = providerMessage(error);
  if (error.status === undefined) {
    // An `error` event in the middle of a stream: the SDK has no HTTP status to give.
    const type = error.type === null ? "" : ` (${error.type})`;
    const message = `Anthropic reported an error mid-stream: ${detail}${type}`;
    return modelError(message, undefined, error, context);
  }
  return modelError(statusMessage(NAMES, error.status, detail, STATUS_HINTS), error.status, error, context);
}

/** The provider's own message (`{ type: "error", error: { message } }`), without the status prefix. */
function providerMessage(error: APIError): string {
  const message = error.apiMessage;
  return typeof message === "string" && message !== "" ? message : error.message;
}
