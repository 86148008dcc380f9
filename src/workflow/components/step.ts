import type { Agent } from "../../agent/index.js";
import { ConfigurationError } from "../../errors.js";
import {
  checkGatePolicy,
  type GatePolicy,
  type OnReject,
  type OnTimeout,
  runSchemas,
  type TimeoutRule,
  type UserInputField,
} from "../../runs/index.js";
import type { StepInput } from "../step-input.js";
import type { StepOutput } from "../step-output.js";
import type { StepRequirement } from "../step-requirement.js";
import { isNestedWorkflow, type NestedWorkflow } from "./nested-workflow.js";
import {
  checkMaxRetries,
  checkOnReject,
  checkOnTimeout,
  checkOptions,
  GATE_ACCESS_OPTIONS,
  type GateAccessOptions,
  requireName,
} from "./options.js";
import { Steps } from "./steps.js";
import { componentTimeout, GATE_TIMEOUT_OPTIONS, type GateTimeoutOptions } from "./timeout-option.js";

/** A function step: returns the step's content, or a StepOutput. Sync or async. */
export type StepExecutor = (input: StepInput) => string | StepOutput | Promise<string | StepOutput>;

export interface StepOptions extends GateAccessOptions, GateTimeoutOptions {
  name: string;
  agent?: Agent;
  /**
   * A function, or a Workflow: its components then run as this step's execution, inside this run
   * (their gates pause this run, with paths through this step, and a continue resumes them in place).
   */
  executor?: StepExecutor | NestedWorkflow;
  description?: string;
  requiresConfirmation?: boolean;
  confirmationMessage?: string;
  onReject?: "skip" | "cancel" | "retry";
  requiresUserInput?: boolean;
  userInputMessage?: string;
  userInputSchema?: UserInputField[];
  requiresOutputReview?: boolean | ((output: StepOutput) => boolean);
  outputReviewMessage?: string;
  hitlMaxRetries?: number;
  /** Seconds a gate waits before `onTimeout` decides (the older form of `timeout`). */
  hitlTimeout?: number;
  onTimeout?: OnTimeout;
  onError?: "fail" | "skip" | "pause";
  /**
   * The step's function may run again without harm (it only computes, or its effect is keyed so a
   * repeat changes nothing). After a crash while it ran, recover() runs it again instead of asking
   * a person whether it ran. Default false. Agent steps need no flag: their tool calls are
   * checkpointed one by one.
   */
  idempotent?: boolean;
}

const STEP_OPTIONS = [
  "name",
  "agent",
  "executor",
  "description",
  "requiresConfirmation",
  "confirmationMessage",
  "onReject",
  "requiresUserInput",
  "userInputMessage",
  "userInputSchema",
  "requiresOutputReview",
  "outputReviewMessage",
  "hitlMaxRetries",
  "hitlTimeout",
  "onTimeout",
  "onError",
  "idempotent",
  ...GATE_ACCESS_OPTIONS,
  ...GATE_TIMEOUT_OPTIONS,
] as const;

function checkUserInputSchema(label: string, schema: UserInputField[] | undefined): UserInputField[] {
  const fields = schema ?? [];
  fields.forEach((field, index) => {
    const parsed = runSchemas().userInputFieldSchema.safeParse(field);
    if (!parsed.success) {
      throw new ConfigurationError(
        `${label} userInputSchema[${index}] is invalid: ${parsed.error.issues[0]?.message ?? "bad field"}; fields look like { name, type: "string" | "number" | "integer" | "boolean" | "list" | "object" }.`,
      );
    }
  });
  return fields;
}

/** Options that make no sense for a step whose executor is a workflow: each inner component has its own. */
function checkWorkflowStep(label: string, options: StepOptions): void {
  for (const key of ["idempotent", "onError"] as const) {
    if (options[key] !== undefined)
      throw new ConfigurationError(
        `${label} runs a workflow, which does not take ${key}: set it on the workflow's own steps instead.`,
      );
  }
}

/**
 * One unit of work: an agent or an executor function, with optional human gates before it
 * runs (confirmation, user input) and after (output review, error decision).
 *
 * @example
 * new Step({ name: "send_alert", agent: alertAgent, requiresConfirmation: true,
 *            confirmationMessage: "Proceed with sending the alert?" });
 */
export class Step {
  readonly stepType = "Step" as const;
  /** Who may decide this component's gates. */
  readonly policy: GatePolicy<StepRequirement>;
  readonly name: string;
  readonly agent: Agent | undefined;
  /** The step's function, when its executor is one. */
  readonly executor: StepExecutor | undefined;
  /** The workflow given as the step's executor, when it is one. */
  readonly workflow: NestedWorkflow | undefined;
  /**
   * Internal: the workflow's components as the sequence this step runs (named after the workflow,
   * so requirement paths read "step › Workflow › component").
   */
  readonly nested: Steps | undefined;
  readonly description: string | undefined;
  readonly requiresConfirmation: boolean;
  readonly confirmationMessage: string | null;
  readonly onReject: OnReject;
  readonly requiresUserInput: boolean;
  readonly userInputMessage: string | null;
  readonly userInputSchema: UserInputField[];
  readonly requiresOutputReview: boolean | ((output: StepOutput) => boolean);
  readonly outputReviewMessage: string | null;
  readonly hitlMaxRetries: number;
  readonly hitlTimeout: number | undefined;
  readonly onTimeout: OnTimeout | null;
  /** What happens to its gates when nobody decides them in time (`timeout`, or `hitlTimeout` with `onTimeout`). */
  readonly timeout: TimeoutRule | null;
  readonly onError: "fail" | "skip" | "pause";
  readonly idempotent: boolean;

  constructor(options: StepOptions) {
    checkOptions("Step", options, STEP_OPTIONS);
    this.name = requireName("Step", options.name);
    const label = `Step '${this.name}'`;
    if ((options.agent === undefined) === (options.executor === undefined)) {
      throw new ConfigurationError(`${label} needs exactly one of agent or executor.`);
    }
    this.agent = options.agent;
    const given = options.executor;
    this.workflow = isNestedWorkflow(given) ? given : undefined;
    this.executor = isNestedWorkflow(given) ? undefined : given;
    this.nested =
      this.workflow === undefined
        ? undefined
        : new Steps({ name: this.workflow.name, steps: [...this.workflow.steps] });
    if (this.workflow !== undefined) checkWorkflowStep(label, options);
    this.description = options.description;
    this.requiresConfirmation = options.requiresConfirmation === true;
    this.confirmationMessage = options.confirmationMessage ?? null;
    this.requiresUserInput = options.requiresUserInput === true || options.userInputSchema !== undefined;
    this.userInputMessage = options.userInputMessage ?? null;
    this.userInputSchema = checkUserInputSchema(label, options.userInputSchema);
    this.requiresOutputReview = options.requiresOutputReview ?? false;
    this.outputReviewMessage = options.outputReviewMessage ?? null;
    const allowed: OnReject[] = this.requiresOutputReview === false ? ["skip", "cancel"] : ["skip", "cancel", "retry"];
    this.onReject = checkOnReject(label, options.onReject, allowed, "skip");
    this.hitlMaxRetries = checkMaxRetries(label, options.hitlMaxRetries);
    this.hitlTimeout = options.hitlTimeout;
    this.onTimeout = checkOnTimeout(label, options.onTimeout, options.hitlTimeout);
    const asks = this.requiresConfirmation || this.requiresUserInput || this.requiresOutputReview !== false;
    this.timeout = componentTimeout(label, options, this.onTimeout, asks);
    this.onError = options.onError ?? "fail";
    this.idempotent = options.idempotent === true;
    if (this.idempotent && this.agent !== undefined) {
      throw new ConfigurationError(
        `${label} sets idempotent with an agent; only a function step can be idempotent (an agent's tool calls are checkpointed one by one).`,
      );
    }
    if (!["fail", "skip", "pause"].includes(this.onError)) {
      throw new ConfigurationError(`${label} has onError '${String(options.onError)}'; use fail, skip or pause.`);
    }
    this.policy = checkGatePolicy(
      `Step '${this.name}'`,
      options,
      this.requiresConfirmation ||
        this.requiresUserInput ||
        this.requiresOutputReview !== false ||
        this.onError === "pause",
    );
  }

  /** True when a human could be asked anything while this step runs. */
  get hasGates(): boolean {
    const toolGates = [...(this.agent?.tools.values() ?? [])].some((tool) => tool.gate !== "none");
    return (
      this.nested !== undefined ||
      this.requiresConfirmation ||
      this.requiresUserInput ||
      this.requiresOutputReview !== false ||
      this.onError === "pause" ||
      toolGates
    );
  }
}
