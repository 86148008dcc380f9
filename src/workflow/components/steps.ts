import { ConfigurationError } from "../../errors.js";
import type { OnReject, TimeoutRule } from "../../runs/index.js";
import { checkGatePolicy, type GatePolicy } from "../../runs/index.js";
import type { StepRequirement } from "../step-requirement.js";
import type { Component } from "./component.js";
import { checkOnReject, checkOptions, GATE_ACCESS_OPTIONS, type GateAccessOptions, requireName } from "./options.js";
import { componentTimeout, GATE_TIMEOUT_OPTIONS, type GateTimeoutOptions } from "./timeout-option.js";

export interface StepsOptions extends GateAccessOptions, GateTimeoutOptions {
  name: string;
  steps: Component[];
  description?: string;
  requiresConfirmation?: boolean;
  confirmationMessage?: string;
  onReject?: "skip" | "cancel";
}

const STEPS_OPTIONS = [
  "name",
  "steps",
  "description",
  "requiresConfirmation",
  "confirmationMessage",
  "onReject",
  ...GATE_ACCESS_OPTIONS,
  ...GATE_TIMEOUT_OPTIONS,
] as const;

/** A sequence of components run as one unit, optionally confirmed before it starts. */
export class Steps {
  readonly stepType = "Steps" as const;
  /** Who may decide this component's gates. */
  readonly policy: GatePolicy<StepRequirement>;
  /** What happens to its gates when nobody decides them in time (see the `timeout` option). */
  readonly timeout: TimeoutRule | null;
  readonly name: string;
  readonly steps: Component[];
  readonly description: string | undefined;
  readonly requiresConfirmation: boolean;
  readonly confirmationMessage: string | null;
  readonly onReject: OnReject;

  constructor(options: StepsOptions) {
    checkOptions("Steps", options, STEPS_OPTIONS);
    this.name = requireName("Steps", options.name);
    if (!Array.isArray(options.steps) || options.steps.length === 0) {
      throw new ConfigurationError(`Steps '${this.name}' needs a non-empty steps array.`);
    }
    this.steps = options.steps;
    this.description = options.description;
    this.requiresConfirmation = options.requiresConfirmation === true;
    this.confirmationMessage = options.confirmationMessage ?? null;
    this.onReject = checkOnReject(`Steps '${this.name}'`, options.onReject, ["skip", "cancel"], "skip");
    this.policy = checkGatePolicy(`Steps '${this.name}'`, options, this.requiresConfirmation);
    this.timeout = componentTimeout(`Steps '${this.name}'`, options, null, this.requiresConfirmation);
  }
}
