import { ConfigurationError } from "../../errors.js";
import type { OnReject, TimeoutRule } from "../../runs/index.js";
import { checkGatePolicy, type GatePolicy } from "../../runs/index.js";
import type { StepOutput } from "../step-output.js";
import type { StepRequirement } from "../step-requirement.js";
import type { Component } from "./component.js";
import { checkOnReject, checkOptions, GATE_ACCESS_OPTIONS, type GateAccessOptions, requireName } from "./options.js";
import { componentTimeout, GATE_TIMEOUT_OPTIONS, type GateTimeoutOptions } from "./timeout-option.js";

/** Decides after an iteration whether the loop is done, from that iteration's outputs. */
export type LoopEndCondition = (outputs: StepOutput[]) => boolean | Promise<boolean>;

export interface LoopOptions extends GateAccessOptions, GateTimeoutOptions {
  name: string;
  steps: Component[];
  maxIterations?: number;
  endCondition?: LoopEndCondition;
  /** Feed each iteration's output to the next iteration as its input. */
  forwardIterationOutput?: boolean;
  description?: string;
  requiresConfirmation?: boolean;
  confirmationMessage?: string;
  requiresIterationReview?: boolean;
  iterationReviewMessage?: string;
  onReject?: "skip" | "cancel" | "retry";
}

const LOOP_OPTIONS = [
  "name",
  "steps",
  "maxIterations",
  "endCondition",
  "forwardIterationOutput",
  "description",
  "requiresConfirmation",
  "confirmationMessage",
  "requiresIterationReview",
  "iterationReviewMessage",
  "onReject",
  ...GATE_ACCESS_OPTIONS,
  ...GATE_TIMEOUT_OPTIONS,
] as const;

/** Runs `steps` up to `maxIterations` times (default 3). */
export class Loop {
  readonly stepType = "Loop" as const;
  /** Who may decide this component's gates. */
  readonly policy: GatePolicy<StepRequirement>;
  /** What happens to its gates when nobody decides them in time (see the `timeout` option). */
  readonly timeout: TimeoutRule | null;
  readonly name: string;
  readonly steps: Component[];
  readonly maxIterations: number;
  readonly endCondition: LoopEndCondition | undefined;
  readonly forwardIterationOutput: boolean;
  readonly description: string | undefined;
  readonly requiresConfirmation: boolean;
  readonly confirmationMessage: string | null;
  readonly requiresIterationReview: boolean;
  readonly iterationReviewMessage: string | null;
  readonly onReject: OnReject;

  constructor(options: LoopOptions) {
    checkOptions("Loop", options, LOOP_OPTIONS);
    this.name = requireName("Loop", options.name);
    const label = `Loop '${this.name}'`;
    if (!Array.isArray(options.steps) || options.steps.length === 0) {
      throw new ConfigurationError(`${label} needs a non-empty steps array.`);
    }
    this.maxIterations = options.maxIterations ?? 3;
    if (!Number.isInteger(this.maxIterations) || this.maxIterations < 1) {
      throw new ConfigurationError(
        `${label} has maxIterations ${String(options.maxIterations)}; give a whole number of 1 or more.`,
      );
    }
    this.steps = options.steps;
    this.endCondition = options.endCondition;
    this.forwardIterationOutput = options.forwardIterationOutput === true;
    this.description = options.description;
    this.requiresConfirmation = options.requiresConfirmation === true;
    this.confirmationMessage = options.confirmationMessage ?? null;
    this.requiresIterationReview = options.requiresIterationReview === true;
    this.iterationReviewMessage = options.iterationReviewMessage ?? null;
    const allowed: OnReject[] = this.requiresIterationReview ? ["skip", "cancel", "retry"] : ["skip", "cancel"];
    this.onReject = checkOnReject(label, options.onReject, allowed, "skip");
    this.policy = checkGatePolicy(
      `Loop '${this.name}'`,
      options,
      this.requiresConfirmation || this.requiresIterationReview,
    );
    const gated = this.requiresConfirmation || this.requiresIterationReview;
    this.timeout = componentTimeout(`Loop '${this.name}'`, options, null, gated);
  }
}
