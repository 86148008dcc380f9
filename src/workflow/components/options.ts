import { ConfigurationError } from "../../errors.js";
import type { Approvers, OnReject, OnTimeout, StepPolicy } from "../../runs/index.js";
import type { StepRequirement } from "../step-requirement.js";

/** Who may decide a component's gates (see tool() for the same options on a tool's gate). */
export interface GateAccessOptions {
  /**
   * Role names or principal ids (any match allows), or a function of the actor and the
   * requirement. Unset, anyone may decide. Needs a gate.
   */
  approvers?: Approvers<StepRequirement>;
  /** False refuses a decision by the principal who started the run. Default true. Needs a gate. */
  allowSelfApproval?: boolean;
  /**
   * Decides the component's gates without a person when it can ("allow", "deny", "ask"); the
   * Workflow's `policy` applies to gates without one. Needs a gate.
   */
  policy?: StepPolicy;
}

/** The option names of {@link GateAccessOptions}, for each gated component's list of supported options. */
export const GATE_ACCESS_OPTIONS = ["approvers", "allowSelfApproval", "policy"] as const;

/** Throws a ConfigurationError naming the options the component supports. */
export function checkOptions(component: string, options: object, supported: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!supported.includes(key)) {
      const name = (options as { name?: unknown }).name;
      const label = typeof name === "string" ? `${component} '${name}'` : component;
      throw new ConfigurationError(
        `${label} does not support the option '${key}'; supported options: ${supported.join(", ")}.`,
      );
    }
  }
}

export function requireName(component: string, name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new ConfigurationError(`${component} needs a name, e.g. new ${component}({ name: "review", ... }).`);
  }
  return name;
}

/** Checks an onReject value against what this component allows. */
export function checkOnReject(
  label: string,
  value: OnReject | undefined,
  allowed: readonly OnReject[],
  fallback: OnReject,
): OnReject {
  const onReject = value ?? fallback;
  if (!allowed.includes(onReject)) {
    throw new ConfigurationError(
      `${label} has onReject: '${onReject}', which it does not support; use one of ${allowed.join(", ")}.`,
    );
  }
  return onReject;
}

export function checkOnTimeout(
  label: string,
  value: OnTimeout | undefined,
  timeout: number | undefined,
): OnTimeout | null {
  if (timeout === undefined) {
    if (value !== undefined)
      throw new ConfigurationError(`${label} sets onTimeout without hitlTimeout; add hitlTimeout (seconds).`);
    return null;
  }
  if (typeof timeout !== "number" || !(timeout > 0)) {
    throw new ConfigurationError(`${label} has hitlTimeout ${String(timeout)}; give a positive number of seconds.`);
  }
  const onTimeout = value ?? "cancel";
  if (!["approve", "skip", "cancel"].includes(onTimeout)) {
    throw new ConfigurationError(`${label} has onTimeout '${onTimeout}'; use approve, skip or cancel.`);
  }
  return onTimeout;
}

export function checkMaxRetries(label: string, value: number | undefined): number {
  const maxRetries = value ?? 3;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new ConfigurationError(`${label} has hitlMaxRetries ${String(value)}; give a whole number of 0 or more.`);
  }
  return maxRetries;
}
