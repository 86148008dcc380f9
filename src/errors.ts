/**
 * Every error kern throws extends {@link KernError}. Each class sets `name` to its class name and
 * carries a stable string `code`, so code that cannot use `instanceof` (another copy of kern, a
 * JSON error from the HTTP API) can still tell them apart.
 */
export class KernError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A definition or option is wrong: raised at construction, before anything runs. */
export class ConfigurationError extends KernError {
  constructor(message: string) {
    super("KERN_CONFIGURATION", message);
  }
}

/** The model provider failed: an HTTP error, a timeout, or output kern cannot use. */
export class ModelError extends KernError {
  readonly provider: string;
  readonly status: number | undefined;
  /** The stored run, when the failure happened inside a run. */
  runOutput: unknown;

  constructor(message: string, details: { provider: string; status?: number | undefined; cause?: unknown }) {
    super("KERN_MODEL", message, { cause: details.cause });
    this.provider = details.provider;
    this.status = details.status;
    this.runOutput = undefined;
  }
}

/** The agent called the model more times than its turn limit allows in one run. */
export class MaxTurnsExceededError extends KernError {
  readonly maxTurns: number;
  runOutput: unknown;

  constructor(agentName: string, maxTurns: number) {
    super(
      "KERN_MAX_TURNS",
      `Agent '${agentName}' reached its limit of ${maxTurns} model turns without a final answer; ` +
        `raise it with new Agent({ maxTurns }) or check the tools for a loop.`,
    );
    this.maxTurns = maxTurns;
    this.runOutput = undefined;
  }
}

/** No stored run has this id (in this session). */
export class RunNotFoundError extends KernError {
  readonly runId: string;
  /** Null when the run was looked up by id alone. */
  readonly sessionId: string | null;

  constructor(runId: string, sessionId: string | null) {
    super(
      "KERN_RUN_NOT_FOUND",
      sessionId === null
        ? `No run '${runId}'; check the id and the run's kind, and that this is the db the run was stored in.`
        : `No run '${runId}' in session '${sessionId}'; check both ids, and that this object ` +
            `uses the same db as the one that started the run.`,
    );
    this.runId = runId;
    this.sessionId = sessionId;
  }
}

/** What a run that is not paused is doing, for the messages that refuse to act on it. */
function notPausedDetail(status: string): string {
  switch (status) {
    case "running":
      return "a process holds its claim and is executing it now";
    case "pending":
      return "it waits in the run queue for a worker to take it";
    case "completed":
      return "it already finished";
    case "cancelled":
      return "it was cancelled";
    case "error":
      return "it ended with an error (retryRun() resumes it from its last checkpoint)";
    default:
      return `its status is ${status}`;
  }
}

/** continueRun or cancelRun was called on a run that is not paused. */
export class RunNotPausedError extends KernError {
  readonly runId: string;
  readonly status: string;

  constructor(runId: string, status: string, action: "continued" | "cancelled" | "retried" = "continued") {
    const only =
      action === "retried"
        ? "only a run that ended with an error can be retried"
        : `only a paused run can be ${action}`;
    super("KERN_RUN_NOT_PAUSED", `Run '${runId}' is ${status} (${notPausedDetail(status)}); ${only}.`);
    this.runId = runId;
    this.status = status;
  }
}

/** Another caller claimed the paused run first; this caller did nothing. */
export class RunAlreadyClaimedError extends KernError {
  readonly runId: string;

  constructor(runId: string) {
    super(
      "KERN_RUN_ALREADY_CLAIMED",
      `Run '${runId}' was claimed by another caller first; nothing was executed here. ` +
        `Load it again with getRunOutput() to see its state.`,
    );
    this.runId = runId;
  }
}

/** One entry of {@link UnresolvedRequirementError.missing}. */
export interface MissingResolution {
  requirementId: string;
  description: string;
  /** What it needs, in the library's words (methods to call). */
  needs: string;
  /** What it needs, as the JSON decisions a client sends. */
  accepts: string;
}

/** continueRun was called while an active requirement still waits for a decision. */
export class UnresolvedRequirementError extends KernError {
  readonly missing: MissingResolution[];

  constructor(missing: MissingResolution[]) {
    const lines = missing.map((entry) => `- ${entry.description}: ${entry.needs}`);
    super(
      "KERN_UNRESOLVED_REQUIREMENT",
      `Resolve every active requirement before continueRun(); nothing was changed.\n${lines.join("\n")}`,
    );
    this.missing = missing;
  }
}

/** A resolution was applied to a requirement from an earlier pause, which is frozen. */
export class RequirementResolvedError extends KernError {
  readonly requirementId: string;

  constructor(requirementId: string, detail: string) {
    super(
      "KERN_REQUIREMENT_RESOLVED",
      `Requirement '${requirementId}' belongs to an earlier pause and is frozen (${detail}); ` +
        `resolve the active requirements instead.`,
    );
    this.requirementId = requirementId;
  }
}

/**
 * The actor may not decide this requirement: not among the gate's `approvers`, or the principal
 * who started the run where `allowSelfApproval` is false, or no actor where the gate needs one.
 * Nothing was changed.
 */
export class NotAuthorizedError extends KernError {
  readonly requirementId: string;
  readonly actorId: string | null;

  constructor(requirementId: string, actorId: string | null, reason: string) {
    const who = actorId === null ? "Code without an actor" : `Principal '${actorId}'`;
    super(
      "KERN_NOT_AUTHORIZED",
      `${who} may not decide requirement '${requirementId}': ${reason}. Nothing was changed.`,
    );
    this.requirementId = requirementId;
    this.actorId = actorId;
  }
}

/** A resolution that does not fit the requirement, or values that fail its schema. */
export class InvalidResolutionError extends KernError {
  readonly requirementId: string;

  constructor(requirementId: string, message: string) {
    super("KERN_INVALID_RESOLUTION", message);
    this.requirementId = requirementId;
  }
}

/** Stored or supplied run state has a schemaVersion this kern does not know. */
export class StateVersionError extends KernError {
  readonly found: unknown;

  constructor(found: unknown, supported: number) {
    super(
      "KERN_STATE_VERSION",
      `Run state has schemaVersion ${JSON.stringify(found)}, but this kern reads versions 1 to ` +
        `${supported}; upgrade kern to read state written by a newer version.`,
    );
    this.found = found;
  }
}

/** Stored or supplied run state is not valid JSON or does not match the run schema. */
export class StateCorruptError extends KernError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("KERN_STATE_CORRUPT", message, options);
  }
}

/** The database failed or refused an operation. */
export class StoreError extends KernError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "KERN_STORE", message, options);
  }
}

/**
 * The database did not answer in time: connecting, or a statement, took longer than the store's
 * timeout. Nothing this call meant to write was stored unless the store says otherwise.
 */
export class StoreTimeoutError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "KERN_STORE_TIMEOUT" });
  }
}

/**
 * This process no longer holds the claim on a run it was executing: its lease lapsed and another
 * process took the run over, or the run changed in the store. It stopped before any further side
 * effect; the run is as the other process left it.
 */
export class ClaimLostError extends KernError {
  readonly runId: string;

  /** `what` names the run's kind, e.g. "agent run". */
  constructor(what: string, runId: string, detail: string) {
    super(
      "KERN_CLAIM_LOST",
      `This process lost its claim on ${what} '${runId}' (${detail}); it stopped before any ` +
        `further side effect. Load the run with getRunOutput() to see what the other process did.`,
    );
    this.runId = runId;
  }
}

/**
 * A paused run was stored by a definition (steps, their order and gates, agents' tools and their
 * parameters) that differs from the one asked to continue it. Nothing changed.
 */
export class DefinitionChangedError extends KernError {
  readonly runId: string;
  /** The fingerprint stored with the run. */
  readonly storedFingerprint: string;
  /** The fingerprint of the definition asked to continue it. */
  readonly liveFingerprint: string;

  constructor(runId: string, stored: string, live: string, message: string) {
    super("KERN_DEFINITION_CHANGED", message);
    this.runId = runId;
    this.storedFingerprint = stored;
    this.liveFingerprint = live;
  }
}

/**
 * What a caller passed to run() cannot be stored as given: an id a store cannot hold, input or
 * additionalData too large or too deeply nested, or a value that is not plain JSON. Nothing ran
 * and nothing was stored.
 */
export class InvalidInputError extends KernError {
  /** The option at fault, e.g. "sessionId" or "additionalData.items[3]". */
  readonly field: string;

  constructor(field: string, message: string) {
    super("KERN_INVALID_INPUT", message);
    this.field = field;
  }
}

/** A workflow step failed and its `onError` is "fail": the run is stored as `error`. */
export class StepFailedError extends KernError {
  readonly stepName: string;
  /** The stored run. */
  runOutput: unknown;

  constructor(stepName: string, message: string) {
    super(
      "KERN_STEP_FAILED",
      `Step '${stepName}' failed: ${message.replace(/\.$/, "")}. Set onError: "skip" or "pause" on the step to keep the run going, or retryRun() to run it again.`,
    );
    this.stepName = stepName;
    this.runOutput = undefined;
  }
}
