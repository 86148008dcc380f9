import type { RunOutput } from "../agent/index.js";
import { decodeWorkflowRunState, RunView, type StepRequirementKind, type WorkflowRunState } from "../runs/index.js";
import { openRequirements } from "./engine/open-requirements.js";
import { StepOutput } from "./step-output.js";
import { StepRequirement } from "./step-requirement.js";

/**
 * The result of a workflow run: a thin view over its stored state. When paused, resolve the
 * active requirements and pass this to `workflow.continueRun`. Without a Parallel there is one,
 * the last entry of `stepRequirements`; a run paused inside a Parallel has one per paused branch,
 * listed by `activeStepRequirements` (see the README's "Gates inside Parallel branches").
 */
export class WorkflowRunOutput extends RunView {
  readonly #state: WorkflowRunState;
  readonly #executorRuns: readonly RunOutput[];
  #requirements: StepRequirement[] | undefined;

  constructor(state: WorkflowRunState, executorRuns: readonly RunOutput[] = []) {
    super(state);
    this.#state = state;
    this.#executorRuns = executorRuns;
  }

  /** Reads `toJSON()` output of any known schema version (migrating it), validated. */
  static fromJSON(json: unknown): WorkflowRunOutput {
    return new WorkflowRunOutput(decodeWorkflowRunState(json));
  }

  get workflowId(): string {
    return this.#state.workflowId;
  }
  get workflowName(): string {
    return this.#state.workflowName;
  }
  get isCancelled(): boolean {
    return this.#state.status === "cancelled";
  }
  get content(): string | null {
    return this.#state.content;
  }
  /** Why the run was cancelled (which step was rejected or timed out). */
  get cancelReason(): string | null {
    return this.#state.cancelReason;
  }
  get stepResults(): StepOutput[] {
    return this.#state.stepResults.map((output) => StepOutput.fromState(output));
  }

  /** Every pause of the run, in order. Without a Parallel, the last entry is the active one. */
  get stepRequirements(): StepRequirement[] {
    this.#requirements ??= this.#state.stepRequirements.map((requirement) => new StepRequirement(requirement));
    return this.#requirements;
  }
  /** The agent runs this workflow's steps executed, one entry per run id. */
  get stepExecutorRuns(): RunOutput[] {
    const seen = new Set<string>();
    return this.#executorRuns.filter((run) => !seen.has(run.runId) && seen.add(run.runId) !== undefined);
  }

  /** The entries waiting for a decision, in order (one per paused Parallel branch); none once it goes on. */
  get #open(): StepRequirement[] {
    if (!this.isPaused) return [];
    const ids = new Set(openRequirements(this.#state).map((requirement) => requirement.id));
    return this.stepRequirements.filter((requirement) => ids.has(requirement.id));
  }
  /** The newest entry waiting for a decision; none for a run recover() paused with nothing to decide. */
  get #active(): StepRequirement | undefined {
    return this.#open.at(-1);
  }
  /** Where the newest active requirement was asked (a run paused in Parallel branches has several: see activeStepRequirements). */
  get pausedStepIndex(): number | null {
    return this.#active?.stepIndex ?? null;
  }
  get pausedStepName(): string | null {
    return this.#active?.stepName ?? null;
  }
  get pauseKind(): "step" | "executor" | null {
    const active = this.#active;
    return active === undefined ? null : active.requiresExecutorInput ? "executor" : "step";
  }

  #unresolved(kinds?: readonly StepRequirementKind[]): StepRequirement[] {
    return this.#open.filter(
      (requirement) => !requirement.isResolved && (kinds === undefined || kinds.includes(requirement.kind)),
    );
  }
  /**
   * The requirements waiting for a decision now, undecided: the last entry of `stepRequirements`,
   * or one per paused Parallel branch. Resolve any of them and continue: the branches decided go on.
   */
  get activeStepRequirements(): StepRequirement[] {
    return this.#unresolved();
  }
  get stepsRequiringConfirmation(): StepRequirement[] {
    return this.#unresolved(["confirmation"]);
  }
  get stepsRequiringUserInput(): StepRequirement[] {
    return this.#unresolved(["userInput"]);
  }
  get stepsRequiringRoute(): StepRequirement[] {
    return this.#unresolved(["route"]);
  }
  get stepsRequiringOutputReview(): StepRequirement[] {
    return this.#unresolved(["outputReview", "iterationReview"]);
  }
  get stepsRequiringExecutorResolution(): StepRequirement[] {
    return this.#unresolved(["executor"]);
  }
  get stepsWithErrors(): StepRequirement[] {
    return this.#unresolved(["error"]);
  }

  /** The plain, versioned state (`schemaVersion`); `WorkflowRunOutput.fromJSON` reads it back. */
  toJSON(): WorkflowRunState {
    return this.#state;
  }
}
