/**
 * What every provider adapter's error mapping shares: the request's failure context, the
 * messages for a timeout, a refused connection and an HTTP status, and the rules that keep a
 * message safe (the API key and any password in the base URL never appear). Each adapter keeps
 * only what its SDK's error classes and its provider's wording need.
 */
import { ModelError } from "../errors.js";

/** What the error mapping needs to know about the request that failed. */
export interface FailureContext {
  signal: AbortSignal | undefined;
  /** The key in use, so it can be removed from any text the provider echoes back. */
  apiKey: string | null | undefined;
  baseURL: string;
  timeoutMs: number | undefined;
}

/** How an adapter names its provider in errors. */
export interface ProviderNames {
  /** `ModelError.provider`, e.g. "openai". */
  id: string;
  /** The name people read, e.g. "OpenAI". */
  label: string;
  /** The environment variable prefix of its key and base URL, e.g. "OPENAI". */
  envPrefix: string;
}

/** Builds a `ModelError` whose message has the API key removed. */
export function providerModelError(
  names: ProviderNames,
  message: string,
  status: number | undefined,
  cause: unknown,
  context: Pick<FailureContext, "apiKey">,
): ModelError {
  return new ModelError(redact(message, context.apiKey), { provider: names.id, status, cause });
}

/** The caller's abort reason: thrown as it is, so `AbortError` handling keeps working. */
export function abortReason(signal: AbortSignal, fallback: unknown): unknown {
  const reason: unknown = signal.reason;
  return reason === undefined ? fallback : reason;
}

export function timeoutMessage(names: ProviderNames, context: FailureContext): string {
  const limit = context.timeoutMs === undefined ? "" : ` within ${context.timeoutMs} ms`;
  return `${names.label} did not answer${limit}; retry later or raise timeoutMs.`;
}

export function connectionMessage(names: ProviderNames, context: FailureContext, detail: string): string {
  return (
    `Could not connect to ${names.label} at ${safeURL(context.baseURL)} (${detail}); ` +
    `check the network and ${names.envPrefix}_BASE_URL or the baseURL option.`
  );
}

/** "<Label> returned <status>: <detail> (<hint>)", the hint from the adapter's table. */
export function statusMessage(names: ProviderNames, status: number, detail: string, hints: Readonly<Record<number, string>>): string {
  const hint = hints[status];
  return `${names.label} returned ${status}: ${detail}${hint === undefined ? "" : ` (${hint})`}`;
}

function redact(text: string, apiKey: string | null | undefined): string {
  // A very short "key" (a test placeholder) would blank out ordinary words; real keys are long.
  if (typeof apiKey !== "string" || apiKey.length < 8) return text;
  return text.split(apiKey).join("[redacted]");
}

/** The base URL without any user:password part, so it is safe to put in a message. */
function safeURL(baseURL: string): string {
  try {
    const url = new URL(baseURL);
    url.username = "";
    url.password = "";
    return url.toString();
  } catch {
    return "the configured baseURL";
  }
}
