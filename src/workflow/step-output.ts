import type { StepOutputState, StepType } from "../runs/index.js";

/** The output of one workflow component; composites nest their children's outputs in `steps`. */
export class StepOutput {
  readonly #state: StepOutputState;

  /** Executors may return `new StepOutput({ content })` instead of a plain string. */
  constructor(state: Partial<StepOutputState> & { content: string | null }) {
    this.#state = {
      stepName: state.stepName ?? "",
      stepType: state.stepType ?? "Step",
      content: state.content,
      success: state.success ?? true,
      skipped: state.skipped ?? false,
      error: state.error ?? null,
      executorRunId: state.executorRunId ?? null,
      steps: state.steps ?? [],
    };
  }

  static fromState(state: StepOutputState): StepOutput {
    return new StepOutput(state);
  }

  get stepName(): string {
    return this.#state.stepName;
  }
  get stepType(): StepType {
    return this.#state.stepType;
  }
  get content(): string | null {
    return this.#state.content;
  }
  get success(): boolean {
    return this.#state.success;
  }
  get skipped(): boolean {
    return this.#state.skipped;
  }
  get error(): string | undefined {
    return this.#state.error ?? undefined;
  }
  get executorRunId(): string | undefined {
    return this.#state.executorRunId ?? undefined;
  }
  get steps(): StepOutput[] {
    return this.#state.steps.map((step) => new StepOutput(step));
  }

  toJSON(): StepOutputState {
    return this.#state;
  }
}
