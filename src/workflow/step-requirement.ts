import { RunRequirement } from "../agent/index.js";
import { InvalidResolutionError, RequirementResolvedError } from "../errors.js";
import { decodeStepRequirement, REQUIREMENT_SCHEMA_VERSION } from "../runs/index.js";
import type { OnReject, OnTimeout, StepRequirementKind, StepRequirementState, StepType, UserInputField } from "../runs/index.js";
import { checkUserInputFields } from "./check-user-input.js";
import { StepOutput } from "./step-output.js";

const NEEDS: Record<StepRequirementKind, string> = {
  confirmation: "call confirm() or reject(feedback)",
  userInput: "call setUserInput(values) or reject(feedback)",
  route: "call select(...choices) or reject(feedback)",
  outputReview: "call confirm(), edit(output) or reject(feedback)",
  iterationReview: "call confirm(), edit(output) or reject(feedback)",
  error: "call retry() or skip()",
  executor: "resolve each of executorRequirements (confirm(), reject(note), provideUserInput(values) ...)",
};

/** The stored message, or for executor pauses a sentence naming the agent and its calls. */
export function requirementMessage(state: StepRequirementState): string | null {
  if (state.kind !== "executor") return state.message;
  const calls = state.executorRequirements.map((entry) => entry.execution.toolName);
  return `${state.executorName ?? "The agent"} wants to call ${calls.join(", ")}; approve or reject each call.`;
}

const REVIEW_KINDS: readonly StepRequirementKind[] = ["outputReview", "iterationReview"];

/**
 * One workflow pause. The last entry of `stepRequirements` is the active one; earlier entries
 * are history and frozen, so resolving them throws RequirementResolvedError.
 */
export class StepRequirement {
  readonly #state: StepRequirementState;
  #executorRequirements: RunRequirement[] | undefined;

  constructor(state: StepRequirementState) {
    this.#state = state;
  }

  get id(): string { return this.#state.id; }
  get kind(): StepRequirementKind { return this.#state.kind; }
  /** The component's id (its name). */
  get stepId(): string { return this.#state.stepName; }
  get stepName(): string { return this.#state.stepName; }
  /** The index of the top-level step that contains the paused component. */
  get stepIndex(): number { return this.#state.stepIndex; }
  /** Indices from the top-level step down to the paused component inside composites. */
  get stepPath(): readonly number[] { return this.#state.stepPath; }
  get stepType(): Exclude<StepType, "Parallel"> { return this.#state.stepType as Exclude<StepType, "Parallel">; }
  /** The question: the component's message, or for an executor pause which calls wait. */
  get message(): string | null { return requirementMessage(this.#state); }

  /** True for confirmations and for output/iteration reviews (which `confirm()` approves). */
  get requiresConfirmation(): boolean { return this.#state.kind === "confirmation" || REVIEW_KINDS.includes(this.#state.kind); }
  get confirmationMessage(): string | null { return this.requiresConfirmation ? this.#state.message : null; }
  get confirmed(): boolean | null { return this.#state.confirmed; }
  get onReject(): OnReject { return this.#state.onReject; }
  get rejectionFeedback(): string | null { return this.#state.rejectionFeedback; }

  get requiresUserInput(): boolean { return this.#state.kind === "userInput"; }
  /** The question for a user-input pause, or for a route selection (a Router's `userInputMessage`). */
  get userInputMessage(): string | null { return this.requiresUserInput || this.requiresRouteSelection ? this.#state.message : null; }
  get userInputSchema(): readonly UserInputField[] | null { return this.#state.userInputSchema; }
  get userInput(): Readonly<Record<string, unknown>> | null { return this.#state.userInput; }

  get requiresRouteSelection(): boolean { return this.#state.kind === "route"; }
  get availableChoices(): readonly string[] | null { return this.#state.availableChoices; }
  get allowMultipleSelections(): boolean { return this.#state.allowMultipleSelections; }
  get selectedChoices(): readonly string[] | null { return this.#state.selectedChoices; }

  get requiresOutputReview(): boolean { return REVIEW_KINDS.includes(this.#state.kind); }
  get outputReviewMessage(): string | null { return this.requiresOutputReview ? this.#state.message : null; }
  get stepOutput(): StepOutput | null { return this.#state.stepOutput === null ? null : StepOutput.fromState(this.#state.stepOutput); }
  get editedOutput(): string | null { return this.#state.editedOutput; }
  get retryCount(): number { return this.#state.retryCount; }
  get maxRetries(): number { return this.#state.maxRetries; }

  get requiresErrorDecision(): boolean { return this.#state.kind === "error"; }
  get errorMessage(): string | null { return this.#state.errorMessage; }
  get errorDecision(): "retry" | "skip" | null { return this.#state.errorDecision; }
  /** True when recover() asks about a step that may or may not have run before its process died. */
  get isRecovered(): boolean { return this.#state.recovered; }

  get requiresExecutorInput(): boolean { return this.#state.kind === "executor"; }
  /** The step agent's paused tool calls, as real RunRequirement objects. */
  get executorRequirements(): RunRequirement[] {
    return (this.#executorRequirements ??= this.#state.executorRequirements.map((entry) => new RunRequirement(entry.requirement, entry.execution)));
  }
  get executorId(): string | null { return this.#state.executorId; }
  get executorName(): string | null { return this.#state.executorName; }
  get executorType(): "agent" | null { return this.#state.kind === "executor" ? "agent" : null; }
  get executorRunId(): string | null { return this.#state.executorRunId; }

  get timeoutAt(): Date | null { return this.#state.timeoutAt === null ? null : new Date(this.#state.timeoutAt); }
  get onTimeout(): OnTimeout | null { return this.#state.onTimeout; }
  get isFrozen(): boolean { return this.#state.frozen; }
  /** What this requirement still needs, in words. */
  get needs(): string { return NEEDS[this.#state.kind]; }

  get isResolved(): boolean {
    const state = this.#state;
    switch (state.kind) {
      case "confirmation":
      case "outputReview":
      case "iterationReview":
      case "userInput":
      case "route":
        return state.confirmed !== null;
      case "error":
        return state.errorDecision !== null;
      case "executor":
        return this.executorRequirements.every((requirement) => requirement.isResolved);
      default: {
        const unreachable: never = state.kind;
        return unreachable;
      }
    }
  }

  /** Approves: runs the step (confirmation) or keeps its output (review). */
  confirm(): void {
    this.#expect(["confirmation", "outputReview", "iterationReview"], "confirm()");
    this.#state.confirmed = true;
    this.#state.editedOutput = null;
  }

  /** Refuses; what happens next follows the component's `onReject`. */
  reject(feedback?: string): void {
    this.#expect(["confirmation", "outputReview", "iterationReview", "userInput", "route"], "reject(feedback)");
    if (feedback !== undefined && typeof feedback !== "string") throw new InvalidResolutionError(this.id, "reject(feedback) takes a string.");
    this.#state.confirmed = false;
    this.#state.rejectionFeedback = feedback ?? null;
  }

  /** Keeps the reviewed output with new content, which is what flows on. */
  edit(output: string): void {
    this.#expect(["outputReview", "iterationReview"], "edit(output)");
    if (typeof output !== "string") throw new InvalidResolutionError(this.id, "edit(output) takes the new content as a string.");
    this.#state.confirmed = true;
    this.#state.editedOutput = output;
  }

  /** Supplies the step's user input; every field is checked first and nothing changes on failure. */
  setUserInput(values: Record<string, unknown>): void {
    this.#expect(["userInput"], "setUserInput(values)");
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new InvalidResolutionError(this.id, "setUserInput(values) takes an object of field values.");
    }
    const problems = checkUserInputFields(values, this.#state.userInputSchema ?? []);
    if (problems.length > 0) {
      throw new InvalidResolutionError(this.id, `User input for step '${this.stepName}' is invalid: ${problems.join("; ")}. Nothing was changed.`);
    }
    this.#state.userInput = { ...values };
    this.#state.confirmed = true;
  }

  /** Picks the route(s) to run, in the order given. */
  select(...choices: string[]): void {
    this.#expect(["route"], "select(...choices)");
    const available = this.#state.availableChoices ?? [];
    const unknown = choices.filter((choice) => !available.includes(choice));
    if (choices.length === 0 || unknown.length > 0) {
      throw new InvalidResolutionError(this.id, `select() takes one or more of ${available.join(", ")}${unknown.length > 0 ? `; unknown: ${unknown.join(", ")}` : ""}.`);
    }
    if (choices.length > 1 && !this.#state.allowMultipleSelections) {
      throw new InvalidResolutionError(this.id, `Router '${this.stepName}' takes one choice (allowMultipleSelections is false); got ${choices.join(", ")}.`);
    }
    this.#state.selectedChoices = [...choices];
    this.#state.confirmed = true;
  }

  /** Runs the failed step again. */
  retry(): void {
    this.#expect(["error"], "retry()");
    this.#state.errorDecision = "retry";
  }

  /** Moves on without the failed step's output. */
  skip(): void {
    this.#expect(["error"], "skip()");
    this.#state.errorDecision = "skip";
  }

  /** Plain, versioned JSON; `continueRun({ runId, sessionId, stepRequirements })` reads its decisions. */
  toJSON(): StepRequirementState & { schemaVersion: number } {
    return { schemaVersion: REQUIREMENT_SCHEMA_VERSION, ...this.#state };
  }

  /** Reads toJSON() output back (checks schemaVersion, validates). */
  static fromJSON(json: unknown): StepRequirement {
    return new StepRequirement(decodeStepRequirement(json));
  }

  #expect(kinds: readonly StepRequirementKind[], method: string): void {
    if (this.#state.frozen) {
      throw new RequirementResolvedError(this.id, `step '${this.stepName}' was already decided in an earlier pause`);
    }
    if (!kinds.includes(this.#state.kind)) {
      throw new InvalidResolutionError(this.id, `${method} does not fit the ${this.#state.kind} pause of ${this.stepType} '${this.stepName}'; ${this.needs}.`);
    }
  }
}
