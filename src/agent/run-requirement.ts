import { InvalidResolutionError, RequirementResolvedError } from "../errors.js";
import type { RequirementState, Resolution, ToolExecutionState } from "../runs/agent-run-state.js";
import { decodeRunRequirement, REQUIREMENT_SCHEMA_VERSION } from "../runs/requirement-json.js";
import { checkValues } from "../runs/check-values.js";
import { ToolExecution } from "./tool-execution.js";

const NEEDS: Record<RequirementState["kind"], string> = {
  confirmation: "call confirm() or reject(note)",
  userInput: "call provideUserInput(values) or reject(note)",
  externalExecution: "call setExternalExecutionResult(result) or reject(note)",
};

/**
 * One paused tool call waiting for a human. Resolve it with the method that fits its kind, then
 * call `continueRun`. A requirement from an earlier pause is frozen: resolving it throws.
 */
export class RunRequirement {
  readonly #state: RequirementState;
  readonly #execution: ToolExecutionState;

  constructor(state: RequirementState, execution: ToolExecutionState) {
    this.#state = state;
    this.#execution = execution;
  }

  get id(): string {
    return this.#state.id;
  }
  get kind(): RequirementState["kind"] {
    return this.#state.kind;
  }
  get toolExecution(): ToolExecution {
    return new ToolExecution(this.#execution, this.#state);
  }
  get needsConfirmation(): boolean {
    return this.#state.kind === "confirmation";
  }
  get needsUserInput(): boolean {
    return this.#state.kind === "userInput";
  }
  get needsExternalExecution(): boolean {
    return this.#state.kind === "externalExecution";
  }
  get userInputSchema(): Readonly<Record<string, unknown>> | undefined {
    return this.#execution.userInputSchema ?? undefined;
  }
  get resolution(): Readonly<Resolution> | null {
    return this.#state.resolution;
  }
  get isResolved(): boolean {
    return this.#state.resolution !== null;
  }
  /** True when this requirement belongs to an earlier pause and can no longer change. */
  get isFrozen(): boolean {
    return this.#state.frozen;
  }
  /** True when recover() asks whether to run again a call that may or may not have run. */
  get isRecovered(): boolean {
    return this.#state.recovered;
  }
  /** What the requirement still needs, in words, e.g. for an error or a prompt. */
  get needs(): string {
    if (this.#state.recovered) return "it may or may not have run before a crash: call confirm() to run it again or reject(note) to skip it";
    return NEEDS[this.#state.kind];
  }
  get description(): string {
    return `tool call '${this.#execution.toolName}' (${this.#state.id})`;
  }

  /** Approves the tool call; it runs exactly once on continue. */
  confirm(): void {
    this.#expectKind("confirmation", "confirm()");
    this.#resolve({ type: "confirmed" });
  }

  /** Refuses the tool call; it never runs and the model is told, with the note if given. */
  reject(note?: string): void {
    if (note !== undefined && typeof note !== "string") {
      throw new InvalidResolutionError(this.id, `reject(note) takes a string note, got ${typeof note}.`);
    }
    this.#resolve({ type: "rejected", note: note ?? null });
  }

  /** Supplies the fields the human must fill; all are checked first, nothing changes on failure. */
  provideUserInput(values: Record<string, unknown>): void {
    this.#expectKind("userInput", "provideUserInput(values)");
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new InvalidResolutionError(this.id, `provideUserInput(values) takes an object of field values.`);
    }
    const problems = checkValues(values, this.#execution.userInputSchema ?? {});
    if (problems.length > 0) {
      throw new InvalidResolutionError(
        this.id,
        `User input for ${this.description} is invalid: ${problems.join("; ")}. Nothing was changed.`,
      );
    }
    this.#resolve({ type: "userInput", values: { ...values } });
  }

  /** Supplies the result of a tool the caller executed itself. */
  setExternalExecutionResult(result: string): void {
    this.#expectKind("externalExecution", "setExternalExecutionResult(result)");
    if (typeof result !== "string") {
      throw new InvalidResolutionError(this.id, `setExternalExecutionResult(result) takes a string.`);
    }
    this.#resolve({ type: "externalResult", result });
  }

  /** Applies a resolution given as data (e.g. JSON from an HTTP client), with the same checks. */
  applyResolution(resolution: Resolution): void {
    switch (resolution.type) {
      case "confirmed":
        return this.confirm();
      case "rejected":
        return this.reject(resolution.note ?? undefined);
      case "userInput":
        return this.provideUserInput(resolution.values);
      case "externalResult":
        return this.setExternalExecutionResult(resolution.result);
      default: {
        const unreachable: never = resolution;
        throw new InvalidResolutionError(this.id, `Unknown resolution ${JSON.stringify(unreachable)}.`);
      }
    }
  }

  /**
   * Plain, versioned JSON: the requirement, its decision (`resolution`) and its tool call.
   * `continueRun({ runId, sessionId, requirements })` reads `id` and `resolution` from it.
   */
  toJSON(): RequirementState & { schemaVersion: number; toolName: string; toolArgs: Record<string, unknown>; toolExecution: ToolExecutionState } {
    return {
      schemaVersion: REQUIREMENT_SCHEMA_VERSION,
      ...this.#state,
      toolName: this.#execution.toolName,
      toolArgs: this.#execution.toolArgs,
      toolExecution: this.#execution,
    };
  }

  /** Reads toJSON() output back (checks schemaVersion, validates). */
  static fromJSON(json: unknown): RunRequirement {
    const { requirement, execution } = decodeRunRequirement(json);
    return new RunRequirement(requirement, execution);
  }

  #expectKind(kind: RequirementState["kind"], method: string): void {
    this.#assertOpen();
    if (this.#state.kind !== kind) {
      throw new InvalidResolutionError(
        this.id,
        `${method} does not fit ${this.description}, which needs ${this.#state.kind}; ${this.needs}.`,
      );
    }
  }

  #assertOpen(): void {
    if (this.#state.frozen) {
      throw new RequirementResolvedError(this.id, `it was ${this.#state.resolution?.type ?? "resolved"}`);
    }
  }

  #resolve(resolution: Resolution): void {
    this.#assertOpen();
    this.#state.resolution = resolution;
  }
}
