/**
 * Turns whatever the OpenAI SDK throws into kern's {@link ModelError}, with a message that says
 * what happened and what to do, and never the API key.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { Response } from "openai/resources/responses/responses";
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

const NAMES: ProviderNames = { id: "openai", label: "OpenAI", envPrefix: "OPENAI" };
export const PROVIDER = NAMES.id;

const STATUS_HINTS: Readonly<Record<number, string>> = {
  401: "check OPENAI_API_KEY or the apiKey option",
  403: "check that this key's project may use the model",
  404: "check the model id and the baseURL",
  429: "wait and retry, or raise maxRetries",
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
  if (error instanceof APIError) {
    const detail = providerMessage(error);
    if (error.status === undefined) {
      return modelError(`OpenAI reported an error: ${detail}`, undefined, error, context);
    }
    return modelError(statusMessage(NAMES, error.status, detail, STATUS_HINTS), error.status, error, context);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return modelError(`OpenAI request failed: ${detail}`, undefined, error, context);
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
 * A `ModelError` for a response that arrived but did not finish (failed, cancelled or cut short),
 * or `undefined` when it completed. Truncated output is never handed on as a final answer: a cut
 * function call would carry broken JSON arguments.
 */
export function unfinishedResponseError(response: Response, context: FailureContext): ModelError | undefined {
  switch (response.status) {
    case "failed":
      return modelError(
        `OpenAI failed to generate a response: ${response.error?.message ?? "no reason given"}`,
        undefined,
        undefined,
        context,
      );
    case "incomplete": {
      const reason = response.incomplete_details?.reason ?? "no reason given";
      return modelError(
        `OpenAI stopped the response before it was complete (${reason}); ` +
          `shorten the conversation or ask for a shorter answer.`,
        undefined,
        undefined,
        context,
      );
    }
    case "cancelled":
      return modelError("OpenAI cancelled the response.", undefined, undefined, context);
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

/** The provider's own message (`{ error: { message } }`), without the SDK's status prefix. */
function providerMessage(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body === "object" && body !== null && "message" in body) {
    const message: unknown = body.message;
    if (typeof message === "string" && message !== "") return message;
  }
  return error.message;
}
