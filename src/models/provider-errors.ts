/**
 * What every provider adapter's error mapping shares: the request's failure context, the
 * messages for a call that ran out of time, a retry that would wait too long, a refused connection
 * and an HTTP status, and the rules that keep a message safe (the API key and any password in the
 * base URL never appear). Each adapter keeps only what its SDK's error classes and its provider's
 * wording need.
 */
import { ModelError } from "../errors.js";
import { type BudgetSettings, type CallBudget, RetryWaitTooLong } from "./call-budget.js";

/** What the error mapping needs to know about the request that failed. */
export interface FailureContext {
  signal: AbortSignal | undefined;
  /** The key in use, so it can be removed from any text the provider echoes back. */
  apiKey: string | null | undefined;
  baseURL: string;
  /** The call's time budget; `undefined` before a call started (the client could not be built). */
  budget: CallBudget | undefined;
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

/** An SDK's own request timeout: kern's budget when kern built the client, else the client's timeout. */
export function timeoutMessage(names: ProviderNames, context: FailureContext): string {
  const budget = context.budget;
  if (budget?.settings === undefined) {
    return (
      `${names.label} did not answer within the timeout of the client you passed; ` +
      `retry later or raise that timeout.`
    );
  }
  return budgetExceededMessage(names, budget.settings, budget.attempts);
}

/**
 * The `ModelError` for a call stopped by its time budget: it ran out (the request in flight was
 * aborted), or the wait a retry needed did not fit in what was left. `undefined` for any other
 * failure. `mapCause` maps the error of the attempt whose retry was not waited for.
 */
export function budgetError(
  names: ProviderNames,
  error: unknown,
  context: FailureContext,
  mapCause: (cause: unknown) => unknown,
): ModelError | undefined {
  const settings = context.budget?.settings;
  if (settings === undefined) return undefined;
  const exceeded = exceededError(names, error, context);
  if (exceeded !== undefined) return exceeded;
  if (!(error instanceof RetryWaitTooLong)) return undefined;
  const mapped = mapCause(error.cause);
  const failure = mapped instanceof ModelError ? mapped : undefined;
  const what = failure?.message ?? String(error.cause);
  const message = `${what}${what.endsWith(".") ? "" : "."} ${retryWaitNote(names, error, settings)}`;
  return providerModelError(names, message, failure?.status, error.cause, context);
}

/**
 * Why a stream the SDK ended quietly stopped, when it was not the connection: the caller's abort
 * reason, or the `ModelError` of a call that ran out of time. `undefined` otherwise.
 */
export function interruptionError(names: ProviderNames, context: FailureContext): unknown {
  if (context.signal?.aborted === true) return abortReason(context.signal, undefined);
  return exceededError(names, undefined, context);
}

/** The `ModelError` of a call whose budget ran out, `undefined` while it has not. */
function exceededError(names: ProviderNames, cause: unknown, context: FailureContext): ModelError | undefined {
  const budget = context.budget;
  if (budget?.settings === undefined || !budget.expired) return undefined;
  const message = budgetExceededMessage(names, budget.settings, budget.attempts);
  return providerModelError(names, message, undefined, cause, context);
}

function budgetExceededMessage(names: ProviderNames, settings: BudgetSettings, attempts: number): string {
  const made = `${attempts} ${attempts === 1 ? "attempt" : "attempts"}`;
  return (
    `The ${names.label} call took longer than timeoutMs (${limitText(settings)}), which bounds the ` +
    `whole call including retries and the waits between them (${made}); ` +
    `raise timeoutMs, or lower maxRetries so fewer attempts share it.`
  );
}

function retryWaitNote(names: ProviderNames, error: RetryWaitTooLong, settings: BudgetSettings): string {
  const { wait, remainingMs } = error;
  const left = `only ${Math.round(remainingMs)} ms were left of timeoutMs (${limitText(settings)}, retries included)`;
  if (wait.header === undefined) {
    return `Not retried: the next retry was due in ${durationText(wait.ms)}, but ${left}; raise timeoutMs.`;
  }
  return (
    `Not retried: ${names.label} asked to wait ${durationText(wait.ms)} first (${wait.header}), but ` +
    `${left}, so kern failed at once instead of waiting; retry later, or raise timeoutMs to let it wait.`
  );
}

function limitText(settings: BudgetSettings): string {
  return `${settings.timeoutMs} ms${settings.defaultTimeout ? ", the default" : ""}`;
}

function durationText(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

export function connectionMessage(names: ProviderNames, context: FailureContext, detail: string): string {
  return (
    `Could not connect to ${names.label} at ${safeURL(context.baseURL)} (${detail}); ` +
    `check the network and ${names.envPrefix}_BASE_URL or the baseURL option.`
  );
}

/** "<Label> returned <status>: <detail> (<hint>)", the hint from the adapter's table. */
export function statusMessage(
  names: ProviderNames,
  status: number,
  detail: string,
  hints: Readonly<Record<number, string>>,
): string {
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
