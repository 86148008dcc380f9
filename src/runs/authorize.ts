import { ConfigurationError } from "../errors.js";
import { checkPolicy } from "./auto-policy.js";
import type { Approvers, Principal } from "./principal.js";

/** Who may decide one gate: a tool's or a workflow component's `approvers` and `allowSelfApproval`. */
export interface GatePolicy<R> {
  approvers: Approvers<R> | undefined;
  /** False refuses a decision by the principal who started the run (its `userId`). Default true. */
  allowSelfApproval: boolean;
  /**
   * The gate's `policy` option (decides it automatically when it can), as given: a tool's takes a
   * ToolPolicyContext, a component's a StepPolicyContext. Undefined without one.
   */
  auto: unknown;
}

/** The policy of a gate nobody restricted: anyone may decide, the starter included. */
export function openGate<R>(): GatePolicy<R> {
  return { approvers: undefined, allowSelfApproval: true, auto: undefined };
}

/** Checks `approvers` and `allowSelfApproval` as given to tool() or a component; `label` names it. */
export function checkGatePolicy<R>(
  label: string,
  options: { approvers?: Approvers<R> | undefined; allowSelfApproval?: boolean | undefined; policy?: unknown },
  hasGate: boolean,
): GatePolicy<R> {
  const { approvers, allowSelfApproval } = options;
  if (approvers !== undefined) {
    const list = typeof approvers === "function" ? null : approvers;
    if (list !== null && (!Array.isArray(list) || list.some((entry) => typeof entry !== "string" || entry === ""))) {
      throw new ConfigurationError(
        `${label}: approvers must be a list of role names or principal ids, e.g. ["finance"], or a function (actor, requirement) => boolean.`,
      );
    }
    if (list?.length === 0) {
      throw new ConfigurationError(
        `${label}: approvers is empty, so nobody could decide its gate; list who may, or leave it out.`,
      );
    }
  }
  if (allowSelfApproval !== undefined && typeof allowSelfApproval !== "boolean") {
    throw new ConfigurationError(`${label}: allowSelfApproval must be true or false.`);
  }
  if (!hasGate && (approvers !== undefined || allowSelfApproval !== undefined)) {
    throw new ConfigurationError(
      `${label} has no gate for approvers or allowSelfApproval to govern; give it a gate (e.g. requiresConfirmation) or leave them out.`,
    );
  }
  checkPolicy(label, options.policy, hasGate);
  return {
    approvers: approvers === undefined || typeof approvers === "function" ? approvers : [...approvers],
    allowSelfApproval: allowSelfApproval ?? true,
    auto: options.policy,
  };
}

/**
 * Whether `actor` may decide a requirement under `policy`: null when it may, else why not.
 * `starterId` is the run's `userId` (who started it). Without an actor (code continuing a run),
 * only gates with no `approvers` may be decided.
 */
export function refusal<R>(
  policy: GatePolicy<R>,
  actor: Principal | undefined,
  requirement: R,
  starterId: string | null,
): string | null {
  const { approvers, allowSelfApproval } = policy;
  if (actor === undefined) {
    return approvers === undefined
      ? null
      : "this gate names its approvers, so continueRun needs an actor who is one of them";
  }
  if (!allowSelfApproval && starterId !== null && actor.id === starterId) {
    return "the principal who started the run may not approve its own gate (allowSelfApproval: false)";
  }
  if (approvers === undefined) return null;
  if (typeof approvers === "function") {
    return approvers(actor, requirement) === true ? null : "the gate's approvers function did not allow this principal";
  }
  const roles = actor.roles ?? [];
  const allowed = approvers.includes(actor.id) || roles.some((role) => approvers.includes(role));
  return allowed ? null : `only ${approvers.join(", ")} may decide it (as a principal id or a role)`;
}
