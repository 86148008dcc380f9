import { RunRequirement } from "../agent/index.js";
import { InvalidResolutionError, RequirementResolvedError } from "../errors.js";
import type {
  OnReject,
  StepDecision,
  StepRequirementKind,
  StepRequirementState,
  StepType,
  TimeoutThen,
  UserInputField,
} from "../runs/index.js";
import {
  DecidedView,
  decodeStepRequirement,
  describeDecider,
  REQUIREMENT_SCHEMA_VERSION,
  stepGateDigest,
} from "../runs/index.js";
import { checkDecisionValues } from "./check-decision-values.js";
import { accepts, DECISIONS, NEEDS, requirementMessage } from "./requirement-words.js";
import { StepOutput } from "./step-output.js";

export { requirementMessage } from "./requirement-words.js";

const REVIEW_KINDS: readonly StepRequirementKind[] = ["outputReview", "iterationReview"];
const APPROVED_BY_TIMEOUT: readonly StepRequirementKind[] = ["confirmation", "outputReview", "iterationReview"];

/**
 * One workflow pause: a view over its stored state, one variant per gate kind with one
 * `decision`. The open entries of `stepRequirements` are active (the last one, or one per paused
 * Parallel branch); entries a continue consumed are history and frozen, so resolving them throws
 * RequirementResolvedError.
 */
export class StepRequirement extends DecidedView {
  readonly #state: StepRequirementState;
  #executorRequirements: RunRequirement[] | undefined;

  constructor(state: StepRequirementState) {
    super(state);
    this.#state = state;
  }

  /** SHA-256 of what this pause shows (its question, fields, choices, output, tool calls). */
  get shownDigest(): string {
    return stepGateDigest(this.#state);
  }

  get id(): string {
    return this.#state.id;
  }
  get kind(): StepRequirementKind {
    return this.#state.kind;
  }
  /** The component's id (its name). */
  get stepId(): string {
    return this.#state.stepName;
  }
  get stepName(): string {
    return this.#state.stepName;
  }
  /** The index of the top-level step that contains the paused component. */
  get stepIndex(): number {
    return this.#state.stepIndex;
  }
  /** Indices from the top-level step down to the paused component inside composites. */
  get stepPath(): readonly number[] {
    return this.#state.stepPath;
  }
  /**
   * The names of the components from the top-level step down to the one that asks, e.g.
   * `["checks", "legal_review"]` for a Step in a branch of Parallel "checks". Runs stored before
   * kern recorded it give `[stepName]`.
   */
  get path(): readonly string[] {
    return this.#state.path.length > 0 ? this.#state.path : [this.#state.stepName];
  }
  get stepType(): Exclude<StepType, "Parallel"> {
    return this.#state.stepType as Exclude<StepType, "Parallel">;
  }
  /** The question: the component's message, or for an executor pause which calls wait. */
  get message(): string | null {
    return requirementMessage(this.#state);
  }
  /** What was decided (by a person, or by the deadline: `{ type: "timeout" }`), or null. */
  get decision(): Readonly<StepDecision> | null {
    return "decision" in this.#state ? this.#state.decision : null;
  }

  /** True for confirmations and for output/iteration reviews (which `confirm()` approves). */
  get requiresConfirmation(): boolean {
    return this.#state.kind === "confirmation" || REVIEW_KINDS.includes(this.#state.kind);
  }
  get confirmationMessage(): string | null {
    return this.requiresConfirmation ? this.#state.message : null;
  }
  /** null while undecided; true once confirmed (or edited, selected, given input); false once rejected. */
  get confirmed(): boolean | null {
    const decision = this.decision;
    if (decision === null || decision.type === "retry" || decision.type === "skip") return null;
    if (decision.type === "reject") return false;
    if (decision.type !== "timeout") return true;
    if (this.onTimeout === "reject") return false;
    return this.onTimeout === "approve" && APPROVED_BY_TIMEOUT.includes(this.#state.kind) ? true : null;
  }
  get onReject(): OnReject {
    return "onReject" in this.#state ? this.#state.onReject : "skip";
  }
  get rejectionFeedback(): string | null {
    return this.decision?.type === "reject" ? this.decision.feedback : null;
  }

  get requiresUserInput(): boolean {
    return this.#state.kind === "userInput";
  }
  /** The question for a user-input pause, or for a route selection (a Router's `userInputMessage`). */
  get userInputMessage(): string | null {
    return this.requiresUserInput || this.requiresRouteSelection ? this.#state.message : null;
  }
  get userInputSchema(): readonly UserInputField[] | null {
    return this.#state.kind === "userInput" ? this.#state.fields : null;
  }
  get userInput(): Readonly<Record<string, unknown>> | null {
    return this.decision?.type === "input" ? this.decision.values : null;
  }

  get requiresRouteSelection(): boolean {
    return this.#state.kind === "route";
  }
  get availableChoices(): readonly string[] | null {
    return this.#state.kind === "route" ? this.#state.choices : null;
  }
  get allowMultipleSelections(): boolean {
    return this.#state.kind === "route" && this.#state.allowMultipleSelections;
  }
  get selectedChoices(): readonly string[] | null {
    return this.decision?.type === "select" ? this.decision.choices : null;
  }

  get requiresOutputReview(): boolean {
    return REVIEW_KINDS.includes(this.#state.kind);
  }
  get outputReviewMessage(): string | null {
    return this.requiresOutputReview ? this.#state.message : null;
  }
  get stepOutput(): StepOutput | null {
    return "output" in this.#state ? StepOutput.fromState(this.#state.output) : null;
  }
  get editedOutput(): string | null {
    return this.decision?.type === "edit" ? this.decision.output : null;
  }
  /** Reviews: how many times the component ran again after a rejection (a Loop's: the iteration). */
  get retryCount(): number {
    return "retryCount" in this.#state ? this.#state.retryCount : 0;
  }
  get maxRetries(): number {
    return "maxRetries" in this.#state ? this.#state.maxRetries : 0;
  }

  get requiresErrorDecision(): boolean {
    return this.#state.kind === "error";
  }
  get errorMessage(): string | null {
    return this.#state.kind === "error" ? this.#state.errorMessage : null;
  }
  get errorDecision(): "retry" | "skip" | null {
    return this.decision?.type === "retry" || this.decision?.type === "skip" ? this.decision.type : null;
  }
  /** True when recover() asks about a step that may or may not have run before its process died. */
  get isRecovered(): boolean {
    return this.#state.recovered;
  }

  get requiresExecutorInput(): boolean {
    return this.#state.kind === "executor";
  }
  /** The step agent's paused tool calls, as real RunRequirement objects. */
  get executorRequirements(): RunRequirement[] {
    const calls = this.#state.kind === "executor" ? this.#state.calls : [];
    this.#executorRequirements ??= calls.map(
      (entry) => new RunRequirement(entry.requirement, entry.execution, entry.path),
    );
    return this.#executorRequirements;
  }
  get executorId(): string | null {
    return this.#state.kind === "executor" ? this.#state.executor.id : null;
  }
  get executorName(): string | null {
    return this.#state.kind === "executor" ? this.#state.executor.name : null;
  }
  get executorType(): "agent" | null {
    return this.#state.kind === "executor" ? "agent" : null;
  }
  get executorRunId(): string | null {
    return this.#state.kind === "executor" ? this.#state.executor.runId : null;
  }

  get timeoutAt(): Date | null {
    return "timeout" in this.#state && this.#state.timeout !== null ? new Date(this.#state.timeout.at) : null;
  }
  /** What happens when `timeoutAt` passes: an outcome, or `{ escalateTo, timeout }`. */
  get onTimeout(): TimeoutThen | null {
    return "timeout" in this.#state ? (this.#state.timeout?.onTimeout ?? null) : null;
  }
  /** Set once a lapsed deadline escalated the gate: its level, and the approvers who alone may decide it now. */
  get escalation(): Readonly<{ level: number; approvers: readonly string[] }> | null {
    const escalation = "escalation" in this.#state ? this.#state.escalation : null;
    return escalation === null ? null : { level: escalation.level, approvers: escalation.to };
  }
  get isFrozen(): boolean {
    return this.#state.frozen;
  }
  /** What this requirement still needs, in words (library methods). */
  get needs(): string {
    return NEEDS[this.#state.kind];
  }
  /** What this requirement still needs, as JSON decisions a client sends. */
  get accepts(): string {
    return accepts(this.#state.kind);
  }

  get isResolved(): boolean {
    if (this.#state.kind === "executor")
      return this.executorRequirements.every((requirement) => requirement.isResolved);
    return this.decision !== null;
  }

  /** Approves: runs the step (confirmation) or keeps its output (review). */
  confirm(): void {
    this.#decide({ type: "confirm" }, "confirm()");
  }
  /** Refuses; what happens next follows the component's `onReject`. */
  reject(feedback?: string): void {
    if (feedback !== undefined && typeof feedback !== "string")
      throw new InvalidResolutionError(this.id, "reject(feedback) takes a string.");
    this.#decide({ type: "reject", feedback: feedback ?? null }, "reject(feedback)");
  }
  /** Keeps the reviewed output with new content, which is what flows on. */
  edit(output: string): void {
    this.#decide({ type: "edit", output }, "edit(output)");
  }
  /** Supplies the step's user input; every field is checked first and nothing changes on failure. */
  setUserInput(values: Record<string, unknown>): void {
    this.#decide({ type: "input", values }, "setUserInput(values)");
  }
  /** Picks the route(s) to run, in the order given. */
  select(...choices: string[]): void {
    this.#decide({ type: "select", choices }, "select(...choices)");
  }
  /** Runs the failed step again. */
  retry(): void {
    this.#decide({ type: "retry" }, "retry()");
  }
  /** Moves on without the failed step's output. */
  skip(): void {
    this.#decide({ type: "skip" }, "skip()");
  }

  /**
   * Applies a decision given as data (e.g. JSON from an HTTP client), with the same checks as the
   * methods; its errors speak of JSON decisions.
   */
  applyDecision(decision: StepDecision): void {
    this.#decide(decision, null);
  }

  /** Plain, versioned JSON; `continueRun({ runId, sessionId, stepRequirements })` reads its decision. */
  toJSON(): StepRequirementState & { schemaVersion: number } {
    return { schemaVersion: REQUIREMENT_SCHEMA_VERSION, ...this.#state };
  }

  /** Reads toJSON() output back (checks schemaVersion, migrates version 1, validates). */
  static fromJSON(json: unknown): StepRequirement {
    return new StepRequirement(decodeStepRequirement(json));
  }

  /** Checks a decision against this requirement (kind, values), then records it; nothing changes on failure. */
  #decide(decision: StepDecision, method: string | null): void {
    const state = this.#state;
    if (state.frozen)
      throw new RequirementResolvedError(
        this.id,
        `step '${this.stepName}' was already decided by ${describeDecider(this.decidedBy, this.decidedAt)}`,
      );
    if (state.kind === "executor" || !DECISIONS[state.kind].includes(decision.type)) {
      const what = method === null ? `a decision of type ${JSON.stringify(decision.type)}` : method;
      throw new InvalidResolutionError(
        this.id,
        `${what} does not fit the ${state.kind} pause of ${this.stepType} '${this.stepName}'; ${method === null ? this.accepts : this.needs}.`,
      );
    }
    checkDecisionValues(state, decision, method ?? `the ${decision.type} decision`);
    (state as { decision: StepDecision | null }).decision =
      decision.type === "input" ? { type: "input", values: { ...decision.values } } : decision;
  }
}
