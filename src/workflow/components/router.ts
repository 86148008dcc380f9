import { Agent } from "../../agent/index.js";
import { ConfigurationError } from "../../errors.js";
import type { OnReject, TimeoutRule } from "../../runs/index.js";
import { checkGatePolicy, type GatePolicy } from "../../runs/index.js";
import type { StepInput } from "../step-input.js";
import type { StepOutput } from "../step-output.js";
import type { StepRequirement } from "../step-requirement.js";
import type { Component } from "./component.js";
import {
  checkMaxRetries,
  checkOnReject,
  checkOptions,
  GATE_ACCESS_OPTIONS,
  type GateAccessOptions,
  requireName,
} from "./options.js";
import { Step } from "./step.js";
import { Steps } from "./steps.js";
import { componentTimeout, GATE_TIMEOUT_OPTIONS, type GateTimeoutOptions } from "./timeout-option.js";

/** A choice: a component, an agent (wrapped in a Step named after it) or an array (a Steps). */
export type RouterChoice = Component | Agent | Component[];
export type RouterSelection = string | Component | Array<string | Component>;
export type RouterSelector = (input: StepInput) => RouterSelection | Promise<RouterSelection>;

export interface RouterOptions extends GateAccessOptions, GateTimeoutOptions {
  name: string;
  choices: RouterChoice[];
  selector?: RouterSelector;
  description?: string;
  requiresUserInput?: boolean;
  userInputMessage?: string;
  allowMultipleSelections?: boolean;
  requiresConfirmation?: boolean;
  confirmationMessage?: string;
  onReject?: "skip" | "cancel" | "retry";
  requiresOutputReview?: boolean | ((output: StepOutput) => boolean);
  outputReviewMessage?: string;
  hitlMaxRetries?: number;
}

const ROUTER_OPTIONS = [
  "name",
  "choices",
  "selector",
  "description",
  "requiresUserInput",
  "userInputMessage",
  "allowMultipleSelections",
  "requiresConfirmation",
  "confirmationMessage",
  "onReject",
  "requiresOutputReview",
  "outputReviewMessage",
  "hitlMaxRetries",
  ...GATE_ACCESS_OPTIONS,
  ...GATE_TIMEOUT_OPTIONS,
] as const;

function wrapChoice(routerName: string, choice: RouterChoice, index: number): Component {
  if (choice instanceof Agent) return new Step({ name: choice.name, agent: choice });
  if (Array.isArray(choice)) return new Steps({ name: `${routerName}_choice_${index + 1}`, steps: choice });
  return choice;
}

/** Runs the choice(s) a selector function, or a human, picks. */
export class Router {
  readonly stepType = "Router" as const;
  /** Who may decide this component's gates. */
  readonly policy: GatePolicy<StepRequirement>;
  /** What happens to its gates when nobody decides them in time (see the `timeout` option). */
  readonly timeout: TimeoutRule | null;
  readonly name: string;
  readonly choices: Component[];
  readonly selector: RouterSelector | undefined;
  readonly description: string | undefined;
  readonly requiresUserInput: boolean;
  readonly userInputMessage: string | null;
  readonly allowMultipleSelections: boolean;
  readonly requiresConfirmation: boolean;
  readonly confirmationMessage: string | null;
  readonly onReject: OnReject;
  readonly requiresOutputReview: boolean | ((output: StepOutput) => boolean);
  readonly outputReviewMessage: string | null;
  readonly hitlMaxRetries: number;

  constructor(options: RouterOptions) {
    checkOptions("Router", options, ROUTER_OPTIONS);
    this.name = requireName("Router", options.name);
    const label = `Router '${this.name}'`;
    if (!Array.isArray(options.choices) || options.choices.length === 0) {
      throw new ConfigurationError(`${label} needs a non-empty choices array.`);
    }
    this.choices = options.choices.map((choice, index) => wrapChoice(this.name, choice, index));
    const names = this.choices.map((choice) => choice.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined)
      throw new ConfigurationError(`${label} has two choices named '${duplicate}'; choice names must be unique.`);
    this.selector = options.selector;
    this.requiresUserInput = options.requiresUserInput === true;
    if (this.selector === undefined && !this.requiresUserInput) {
      throw new ConfigurationError(
        `${label} needs a selector function, or requiresUserInput: true to let a human choose.`,
      );
    }
    this.description = options.description;
    this.userInputMessage = options.userInputMessage ?? null;
    this.allowMultipleSelections = options.allowMultipleSelections === true;
    this.requiresConfirmation = options.requiresConfirmation === true;
    this.confirmationMessage = options.confirmationMessage ?? null;
    this.requiresOutputReview = options.requiresOutputReview ?? false;
    this.outputReviewMessage = options.outputReviewMessage ?? null;
    const allowed: OnReject[] = this.requiresOutputReview === false ? ["skip", "cancel"] : ["skip", "cancel", "retry"];
    this.onReject = checkOnReject(label, options.onReject, allowed, "skip");
    this.hitlMaxRetries = checkMaxRetries(label, options.hitlMaxRetries);
    const gated = this.requiresConfirmation || this.requiresUserInput || this.requiresOutputReview !== false;
    this.policy = checkGatePolicy(`Router '${this.name}'`, options, gated);
    this.timeout = componentTimeout(label, options, null, gated);
  }

  /** The choice with this name, if any. */
  choice(name: string): Component | undefined {
    return this.choices.find((choice) => choice.name === name);
  }
}
