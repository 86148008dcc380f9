import type { StepOutputState } from "../runs/index.js";
import { StepOutput } from "./step-output.js";

/** What a step's executor (or selector, evaluator, end condition) receives. */
export class StepInput {
  /** The workflow's input. */
  readonly input: string;
  /** The content of the previous step, or null for the first step. */
  readonly previousStepContent: string | null;
  /** Workflow `additionalData` plus what a gate supplied: `userInput`, `feedback`, `previousOutput`. */
  readonly additionalData: Readonly<Record<string, unknown>>;
  readonly #outputs: ReadonlyMap<string, StepOutputState>;

  constructor(options: {
    input: string;
    previousStepContent: string | null;
    additionalData: Record<string, unknown>;
    outputs: ReadonlyMap<string, StepOutputState>;
  }) {
    this.input = options.input;
    this.previousStepContent = options.previousStepContent;
    this.additionalData = options.additionalData;
    this.#outputs = options.outputs;
  }

  /** Outputs of the steps that ran before this one, by step name. */
  get previousStepOutputs(): Record<string, StepOutput> {
    return Object.fromEntries([...this.#outputs].map(([name, state]) => [name, new StepOutput(state)]));
  }

  /** The content of an earlier step, by name. */
  getStepContent(name: string): string | null | undefined {
    return this.#outputs.get(name)?.content;
  }

  /** The message an agent receives: previous content (or the input) plus any gate data. */
  get message(): string {
    return this.previousStepContent ?? this.input;
  }
}
