import { KernError, UnresolvedRequirementError } from "../errors.js";

/** The statuses the API answers errors with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 500 | 503;

/** The JSON body of every error answer. */
export interface ErrorBody {
  /** `missing`: what an UnresolvedRequirementError still needs; `runId`: the stored run a failed run left. */
  error: { name: string; code: string; message: string; missing?: unknown; runId?: string };
}

/** The statuses of requests the server refuses before calling kern. */
type RequestStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415;

/** A request the server refuses before calling kern: malformed JSON, a bad query or body. */
export class RequestError extends KernError {
  readonly status: RequestStatus;

  constructor(status: RequestStatus, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** The body or query does not match what the endpoint takes. */
export function badRequest(message: string): RequestError {
  return new RequestError(400, "KERN_BAD_REQUEST", message);
}

/**
 * The body is not sent as JSON. Requiring `application/json` makes browsers ask before sending
 * a cross-site request, so another web page cannot post decisions to a local server.
 */
export function notJson(endpoint: string): RequestError {
  return new RequestError(
    415,
    "KERN_UNSUPPORTED_MEDIA_TYPE",
    `${endpoint} takes a JSON body; send it with 'Content-Type: application/json'.`,
  );
}

/** The URL names a workflow or agent this server does not serve. */
export function unknownResource(message: string): RequestError {
  return new RequestError(404, "KERN_NOT_FOUND", message);
}

/**
 * The request names no principal, or credentials the server does not accept (an unknown API key,
 * a JWT that is expired, signed by another key or meant for another audience). The message never
 * says which, so a caller cannot probe the server's configuration.
 */
export class NotAuthenticatedError extends RequestError {
  constructor(message: string) {
    super(401, "KERN_UNAUTHENTICATED", message);
  }
}

/**
 * The Host header names a host this server does not answer to: a DNS-rebinding page, or a proxy
 * that forwards a name missing from `allowedHosts`.
 */
export function forbiddenHost(): RequestError {
  return new RequestError(
    403,
    "KERN_FORBIDDEN_HOST",
    "This server does not answer requests sent to this host name; its operator lists the names it serves in createServer({ allowedHosts }).",
  );
}

/** A state-changing request sent by a web page of another origin. */
export function forbiddenOrigin(): RequestError {
  return new RequestError(
    403,
    "KERN_FORBIDDEN_ORIGIN",
    "Web pages of another origin may not change anything here; nothing was changed. The server's operator can allow an origin with createServer({ allowedOrigins }).",
  );
}

/** The body is larger than `bodyLimitBytes`; it was not read to its end and nothing was stored. */
export function payloadTooLarge(limitBytes: number): RequestError {
  return new RequestError(
    413,
    "KERN_PAYLOAD_TOO_LARGE",
    `The request body is larger than this server accepts (${limitBytes} bytes); nothing was stored.`,
  );
}

/** HTTP status per kern error code; codes not listed are 500. */
const STATUS_BY_CODE: Readonly<Record<string, ErrorStatus>> = {
  KERN_RUN_NOT_FOUND: 404,
  KERN_RUN_NOT_PAUSED: 409,
  KERN_RUN_ALREADY_CLAIMED: 409,
  KERN_REQUIREMENT_RESOLVED: 409,
  KERN_DEFINITION_CHANGED: 409,
  KERN_CLAIM_LOST: 409,
  // The principal may not decide this requirement (approvers, self-approval); nothing changed.
  KERN_NOT_AUTHORIZED: 403,
  // The server's own refusals (RequestError carries them too); listed for errors of another kern copy.
  KERN_UNAUTHENTICATED: 401,
  KERN_FORBIDDEN_HOST: 403,
  KERN_FORBIDDEN_ORIGIN: 403,
  KERN_PAYLOAD_TOO_LARGE: 413,
  KERN_UNRESOLVED_REQUIREMENT: 422,
  KERN_INVALID_RESOLUTION: 422,
  // Requirement JSON (or a stored run) of a schema version this kern does not read.
  KERN_STATE_VERSION: 422,
  KERN_INVALID_INPUT: 400,
  KERN_CONFIGURATION: 400,
  KERN_STORE_TIMEOUT: 503,
};

/**
 * Errors whose message names the server's insides (the database host, a file path, a stack):
 * the client gets a generic message, the server's log gets the real one.
 */
const INTERNAL_CODES: ReadonlySet<string> = new Set(["KERN_STORE", "KERN_STORE_TIMEOUT"]);

/**
 * Maps any thrown value to a status and a JSON body that always carries `name`, `code` and
 * `message`, so a client tells errors apart without `instanceof`. `internal` is true when the
 * message was withheld from the client (the server should log `error` itself).
 */
export function errorResponse(error: unknown): { status: ErrorStatus; body: ErrorBody; internal: boolean } {
  const response = describeError(error);
  const { code } = response.body.error;
  if (!INTERNAL_CODES.has(code) && code !== "KERN_UNEXPECTED") return { ...response, internal: false };
  const message =
    code === "KERN_STORE_TIMEOUT"
      ? "The database did not answer in time; nothing more was done. Try again shortly."
      : "The server failed to handle this request; the details are in its log.";
  return { status: response.status, body: { error: { ...response.body.error, message } }, internal: true };
}

function describeError(error: unknown): { status: ErrorStatus; body: ErrorBody } {
  if (error instanceof RequestError) {
    return { status: error.status, body: { error: { name: error.name, code: error.code, message: error.message } } };
  }
  if (error instanceof KernError) {
    const body: ErrorBody = { error: { name: error.name, code: error.code, message: error.message } };
    if (error instanceof UnresolvedRequirementError) {
      // A client sends JSON decisions: tell it which, not which methods to call.
      const lines = error.missing.map(
        (entry) => `- ${entry.description} (requirement ${entry.requirementId}): ${entry.accepts}`,
      );
      body.error.message = `Decide every active requirement before continuing; nothing was changed.\n${lines.join("\n")}`;
      body.error.missing = error.missing.map(({ requirementId, description, accepts }) => ({
        requirementId,
        description,
        accepts,
      }));
    }
    const run = "runOutput" in error ? error.runOutput : undefined;
    if (typeof run === "object" && run !== null && "runId" in run && typeof run.runId === "string")
      body.error.runId = run.runId;
    return { status: STATUS_BY_CODE[error.code] ?? 500, body };
  }
  return { status: 500, body: { error: { name: "Error", code: "KERN_UNEXPECTED", message: "" } } };
}
