import { ConfigurationError } from "../../errors.js";
import type { OnReject, TimeoutRule } from "../../runs/index.js";
import { checkGatePolicy, type GatePolicy } from "../../runs/index.js";
import type { StepInput } from "../step-input.js";
import type { StepRequirement } from "../step-requirement.js";
import type { Component } from "./component.js";
import { checkOnReject, checkOptions, GATE_ACCESS_OPTIONS, type GateAccessOptions, requireName } from "./options.js";
import { componentTimeout, GATE_TIMEOUT_OPTIONS, type GateTimeoutOptions } from "./timeout-option.js";

export type ConditionEvaluator = boolean | ((input: StepInput) => boolean | Promise<boolean>);

export interface ConditionOptions extends GateAccessOptions, GateTimeoutOptions {
  name: string;
  evaluator?: ConditionEvaluator;
  steps: Component[];
  elseSteps?: Component[];
  description?: string;
  requiresConfirmation?: boolean;
  confirmationMessage?: string;
  onReject?: "else" | "skip" | "cancel";
}

const CONDITION_OPTIONS = [
  "name",
  "evaluator",
  "steps",
  "elseSteps",
  "description",
  "requiresConfirmation",
  "confirmationMessage",
  "onReject",
  ...GATE_ACCESS_OPTIONS,
  ...GATE_TIMEOUT_OPTIONS,
] as const;

/** Runs `steps` when the evaluator says so (default true), else `elseSteps`. */
export class Condition {
  readonly stepType = "Condition" as const;
  /** Who may decide this component's gates. */
  readonly policy: GatePolicy<StepRequirement>;
  /** What happens to its gates when nobody decides them in time (see the `timeout` option). */
  readonly timeout: TimeoutRule | null;
  readonly name: string;
  readonly evaluator: ConditionEvaluator;
  readonly steps: Component[];
  readonly elseSteps: Component[];
  readonly description: string | undefined;
  readonly requiresConfirmation: boolean;
  readonly confirmationMessage: string | null;
  readonly onReject: OnReject;

  constructor(options: ConditionOptions) {
    checkOptions("Condition", options, CONDITION_OPTIONS);
    this.name = requireName("Condition", options.name);
    if (!Array.isArray(options.steps) || options.steps.length === 0) {
      throw new ConfigurationError(`Condition '${this.name}' needs a non-empty steps array.`);
    }
    const evaluator = options.evaluator ?? true;
    if (typeof evaluator !== "boolean" && typeof evaluator !== "function") {
      throw new ConfigurationError(
        `Condition '${this.name}' evaluator must be a boolean or a function of the step input.`,
      );
    }
    this.evaluator = evaluator;
    this.steps = options.steps;
    this.elseSteps = options.elseSteps ?? [];
    this.description = options.description;
    this.requiresConfirmation = options.requiresConfirmation === true;
    this.confirmationMessage = options.confirmationMessage ?? null;
    this.onReject = checkOnReject(`Condition '${this.name}'`, options.onReject, ["else", "skip", "cancel"], "else");
    this.policy = checkGatePolicy(`Condition '${this.name}'`, options, this.requiresConfirmation);
    this.timeout = componentTimeout(`Condition '${this.name}'`, options, null, this.requiresConfirmation);
  }
}
