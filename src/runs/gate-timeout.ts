import { ConfigurationError } from "../errors.js";
import {
  type Escalation,
  type GateDeadline,
  TIMEOUT_OUTCOMES,
  type TimeoutOutcome,
  type TimeoutRule,
  type TimeoutThen,
} from "./agent-run-state.js";
import type { GatePolicy } from "./authorize.js";
import { DECIDED_BY_TIMEOUT, type DecidedBy } from "./principal.js";

/**
 * A gate's timeout, on `tool()` and on every gated workflow component: when nobody decided the
 * gate `after` seconds after it paused, `then` happens. `then` is an outcome (`"approve"` runs
 * it, `"reject"` refuses it, `"skip"` moves on without it, `"cancel"` cancels the run) or an
 * escalation: the gate stays paused, and from then on only `escalateTo` (role names or principal
 * ids, in place of the gate's `approvers`) may decide it, under the escalation's own `timeout`
 * (none: they have all the time they need). While a gate waits, the sweep reports a reminder
 * every `remindEvery` seconds.
 *
 * @example
 * timeout: {
 *   after: 3600,
 *   remindEvery: 900,
 *   then: { escalateTo: ["finance-leads"], timeout: { after: 7200, then: "reject" } },
 * }
 */
export interface GateTimeout {
  after: number;
  then: TimeoutOutcome | GateEscalation;
  remindEvery?: number;
}

/** Hands a lapsed gate to other approvers: role names or principal ids, with a deadline of their own. */
export interface GateEscalation {
  escalateTo: readonly string[];
  timeout?: GateTimeout;
}

/** Deeper escalation chains are refused: they are almost certainly a mistake (or a cycle). */
const MAX_LEVELS = 10;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function seconds(label: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    throw new ConfigurationError(
      `${label}: timeout ${name} must be a positive number of seconds, got ${String(value)}.`,
    );
  return value;
}

function checkKeys(label: string, what: string, value: Record<string, unknown>, keys: readonly string[]): void {
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0)
    throw new ConfigurationError(
      `${label}: ${what} does not support ${unknown.map((key) => `'${key}'`).join(", ")}; it takes ${keys.join(", ")}.`,
    );
}

function checkThen(label: string, then: unknown, noApprove: string | null, level: number): TimeoutThen {
  if (typeof then === "string" && (TIMEOUT_OUTCOMES as readonly string[]).includes(then)) {
    if (then === "approve" && noApprove !== null)
      throw new ConfigurationError(
        `${label}: a timeout cannot approve ${noApprove}; use "reject", "skip" or "cancel".`,
      );
    return then as TimeoutOutcome;
  }
  if (!isRecord(then))
    throw new ConfigurationError(
      `${label}: timeout then must be "approve", "reject", "skip", "cancel" or { escalateTo: [...], timeout? }; got ${JSON.stringify(then)}.`,
    );
  checkKeys(label, "an escalation", then, ["escalateTo", "timeout"]);
  const to = then["escalateTo"];
  if (!Array.isArray(to) || to.length === 0 || to.some((entry) => typeof entry !== "string" || entry === ""))
    throw new ConfigurationError(
      `${label}: escalateTo must list the role names or principal ids who decide after the deadline, e.g. ["finance-leads"].`,
    );
  const next = then["timeout"] === undefined ? null : checkRule(label, then["timeout"], noApprove, level + 1);
  return { escalateTo: [...(to as string[])], timeout: next };
}

function checkRule(label: string, value: unknown, noApprove: string | null, level: number): TimeoutRule {
  if (level > MAX_LEVELS) throw new ConfigurationError(`${label}: timeout escalates more than ${MAX_LEVELS} levels.`);
  if (!isRecord(value))
    throw new ConfigurationError(`${label}: timeout must be { after: seconds, then, remindEvery? }.`);
  checkKeys(label, "timeout", value, ["after", "then", "remindEvery"]);
  return {
    after: seconds(label, "after", value["after"]),
    then: checkThen(label, value["then"], noApprove, level),
    remindEvery: value["remindEvery"] === undefined ? null : seconds(label, "remindEvery", value["remindEvery"]),
  };
}

/**
 * Checks a gate's `timeout` option and returns it normalized (null when not given).
 * `noApprove` names what a deadline cannot approve for this gate (values only a person can give),
 * or is null when "approve" is allowed.
 */
export function checkGateTimeout(
  label: string,
  value: unknown,
  options: { hasGate: boolean; noApprove?: string | null },
): TimeoutRule | null {
  if (value === undefined) return null;
  if (!options.hasGate)
    throw new ConfigurationError(`${label} has no gate for a timeout to decide; give it a gate or leave timeout out.`);
  return checkRule(label, value, options.noApprove ?? null, 1);
}

/** The deadline of a gate pausing at `now` under `rule`; null without a rule. */
export function startDeadline(rule: TimeoutRule | null, now: number): GateDeadline | null {
  if (rule === null) return null;
  return {
    at: now + rule.after * 1000,
    onTimeout: structuredClone(rule.then),
    after: rule.after,
    remindEvery: rule.remindEvery,
    remindedAt: null,
  };
}

/** What a requirement's deadline reads and changes (a tool call's and a workflow gate's alike). */
export interface DeadlineGate {
  timeout: GateDeadline | null;
  escalation: Escalation | null;
  decidedBy: DecidedBy | null;
  decidedAt: string | null;
}

/** What a deadline asks of an open gate: a decision, an escalation, or a reminder. */
export type Lapse = "decide" | "escalate" | "remind";

/** What the open gate's deadline asks for at `now`, or null when nothing is due. */
export function dueLapse(gate: DeadlineGate, now: number): Lapse | null {
  const timeout = gate.timeout;
  if (timeout === null) return null;
  if (now >= timeout.at) return typeof timeout.onTimeout === "string" ? "decide" : "escalate";
  if (timeout.remindEvery === null || timeout.after === null) return null;
  const last = timeout.remindedAt ?? timeout.at - timeout.after * 1000;
  return now >= last + timeout.remindEvery * 1000 ? "remind" : null;
}

/** Records that the gate's deadline decided it at `now` (its decision, `{ type: "timeout" }`, is the caller's to set). */
export function stampDeadline(gate: DeadlineGate, now: number): void {
  gate.decidedBy = { ...DECIDED_BY_TIMEOUT, roles: [] };
  gate.decidedAt = new Date(now).toISOString();
}

/** True when the gate's deadline decided it. */
export function decidedByDeadline(gate: { decidedBy: DecidedBy | null }): boolean {
  return gate.decidedBy?.kind === "timeout";
}

/** Seconds the gate waited, over all its levels, until its current deadline. */
export function waitedSeconds(gate: DeadlineGate): number {
  return (gate.escalation?.waited ?? 0) + (gate.timeout?.after ?? 0);
}

/**
 * Hands the gate to its escalation's approvers, with their deadline counted from `now` (so they
 * get all of it, however late the sweep came). Returns the decision the audit entry records.
 */
export function escalateGate(gate: DeadlineGate, now: number): { type: "escalate"; to: string[]; level: number } {
  const then = gate.timeout?.onTimeout;
  if (then === undefined || typeof then === "string")
    throw new Error("kern internal error: escalating a gate whose deadline does not escalate.");
  const level = (gate.escalation?.level ?? 0) + 1;
  gate.escalation = { level, to: [...then.escalateTo], at: now, waited: waitedSeconds(gate) };
  gate.timeout = startDeadline(then.timeout, now);
  return { type: "escalate", to: [...then.escalateTo], level };
}

/** What the gate's deadline decided (or decides when it passes): an outcome, or null while it escalates. */
export function deadlineOutcome(gate: Pick<DeadlineGate, "timeout">): TimeoutOutcome | null {
  const then = gate.timeout?.onTimeout;
  return typeof then === "string" ? then : null;
}

/**
 * The gate's policy as it stands now: once a deadline escalated it, only the escalation's
 * approvers (`escalatedTo`) may decide it; `allowSelfApproval` still applies.
 */
export function escalatedPolicy<R>(
  policy: GatePolicy<R>,
  escalatedTo: readonly string[] | null | undefined,
): GatePolicy<R> {
  return escalatedTo === null || escalatedTo === undefined ? policy : { ...policy, approvers: [...escalatedTo] };
}
