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

  constructor(
    message: string,
    details: { provider: string; status?: number | undefined; cause?: unknown },
  ) {
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
  readonly sessionId: string;

  constructor(runId: string, sessionId: string) {
    super(
      "KERN_RUN_NOT_FOUND",
      `No run '${runId}' in session '${sessionId}'; check both ids, and that this object ` +
        `uses the same db as the one that started the run.`,
    );
    this.runId = runId;
    this.sessionId = sessionId;
  }
}

/** continueRun was called on a run that is not paused. */
export class RunNotPausedError extends KernError {
  readonly runId: string;
  readonly status: string;

  constructor(runId: string, status: string) {
    super(
      "KERN_RUN_NOT_PAUSED",
      `Run '${runId}' is ${status}, not paused; only a paused run can be continued.`,
    );
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
  needs: string;
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
  constructor(message: string, options?: { cause?: unknown }) {
    super("KERN_STORE", message, options);
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
      `Step '${stepName}' failed: ${message}. Set onError: "skip" or "pause" on the step to keep the run going.`,
    );
    this.stepName = stepName;
    this.runOutput = undefined;
  }
}
