import {
  type ExecutorRequirementState,
  GATE_DEFAULTS,
  type GateDeadline,
  newId,
  type OnReject,
  REQUIREMENT_DEFAULTS,
  RETRY_DEFAULTS,
  type RequirementOf,
  type StepOutputState,
  type StepType,
  type UserInputField,
} from "../../runs/index.js";

/** The component a requirement is asked for. */
interface Asker {
  name: string;
  stepType: StepType;
}

/** What a gate a person answers is asked with. */
export interface GateOptions {
  message: string | null;
  onReject: OnReject;
  /** The deadline set by the component's `timeout` (or `hitlTimeout`), with what happens when it passes. */
  timeout?: GateDeadline | null;
}

// The keys a default record lacks come first: V8 adds keys to a spread copy on a slow path.
function base(component: Asker, path: readonly number[]) {
  return {
    id: newId(),
    stepName: component.name,
    stepPath: [...path],
    ...REQUIREMENT_DEFAULTS,
    // Set by pause() (or recover()), which know the components' names.
    path: [] as string[],
    stepIndex: path[0] ?? 0,
    stepType: component.stepType,
  };
}

function gate(component: Asker, path: readonly number[], options: GateOptions) {
  return {
    ...base(component, path),
    ...GATE_DEFAULTS,
    message: options.message,
    onReject: options.onReject,
    timeout: options.timeout ?? null,
  };
}

export function confirmationRequirement(
  component: Asker,
  path: readonly number[],
  options: GateOptions,
): RequirementOf<"confirmation"> {
  return { ...gate(component, path, options), kind: "confirmation" };
}

export function userInputRequirement(
  component: Asker,
  path: readonly number[],
  options: GateOptions,
  fields: readonly UserInputField[],
): RequirementOf<"userInput"> {
  return { ...gate(component, path, options), kind: "userInput", fields: [...fields] };
}

export function routeRequirement(
  component: Asker,
  path: readonly number[],
  options: GateOptions,
  route: { choices: string[]; allowMultipleSelections: boolean; retryCount: number; maxRetries: number },
): RequirementOf<"route"> {
  return { ...gate(component, path, options), ...RETRY_DEFAULTS, kind: "route", ...route };
}

export function reviewRequirement<K extends "outputReview" | "iterationReview">(
  kind: K,
  component: Asker,
  path: readonly number[],
  options: GateOptions,
  review: { output: StepOutputState; retryCount: number; maxRetries: number },
): RequirementOf<K> {
  return { ...gate(component, path, options), ...RETRY_DEFAULTS, kind, ...review } as RequirementOf<K>;
}

export function errorRequirement(
  component: Asker,
  path: readonly number[],
  errorMessage: string,
  recovered = false,
): RequirementOf<"error"> {
  return { ...base(component, path), kind: "error", errorMessage, recovered, decision: null };
}

export function executorRequirement(
  component: Asker,
  path: readonly number[],
  executor: { id: string; name: string; runId: string },
  calls: ExecutorRequirementState[],
): RequirementOf<"executor"> {
  return { ...base(component, path), kind: "executor", executor, calls };
}
