import type { Escalation, GateDeadline } from "./agent-run-state.js";

/** Who is acting: a person, or a service with its own credentials. */
export interface Principal {
  id: string;
  roles?: readonly string[];
  /** A name a person reads, e.g. in the inbox. */
  name?: string;
}

/**
 * Who decided a requirement, stored with the decision. A person (or service) signed in as a
 * principal; code that continued a run without an actor; a deadline (`hitlTimeout`); a gate's
 * policy, with its name and reason; or a standing grant ("always allow this tool"), by its id.
 */
export type DecidedBy =
  | { kind: "principal"; id: string; roles: string[]; name: string | null }
  | { kind: "code"; id: "kern:code"; roles: [] }
  | { kind: "timeout"; id: "kern:timeout"; roles: [] }
  | { kind: "policy"; id: string; roles: []; name: string; reason: string | null }
  | { kind: "grant"; id: string; roles: []; grantId: string };

/** The marker stored when code continues a run without an actor. */
export const DECIDED_BY_CODE: DecidedBy = { kind: "code", id: "kern:code", roles: [] };
/** The marker stored when a gate's deadline decided. */
export const DECIDED_BY_TIMEOUT: DecidedBy = { kind: "timeout", id: "kern:timeout", roles: [] };

/** What `decidedBy` records for an actor, or for code when there is none. */
export function decidedByOf(actor: Principal | undefined): DecidedBy {
  if (actor === undefined) return { ...DECIDED_BY_CODE, roles: [] };
  return { kind: "principal", id: actor.id, roles: [...(actor.roles ?? [])], name: actor.name ?? null };
}

/**
 * Who may decide a gate: principal ids or roles (any match allows), or a function of the actor
 * and the requirement. Unset, anyone may.
 */
export type Approvers<R> = readonly string[] | ((actor: Principal, requirement: R) => boolean);

/** Who decided and when, as stored on a requirement. */
export interface DecisionStamp {
  decidedBy: DecidedBy;
  /** ISO 8601. */
  decidedAt: string;
}

/** "alice (finance) at 2026-12-02T10:00:00.000Z", for messages that say who decided first. */
export function describeDecider(decidedBy: DecidedBy | null, decidedAt: string | null): string {
  if (decidedBy === null) return "an earlier continueRun";
  const who =
    decidedBy.kind === "principal"
      ? `${decidedBy.id}${decidedBy.roles.length > 0 ? ` (${decidedBy.roles.join(", ")})` : ""}`
      : decidedBy.kind === "code"
        ? "code without an actor"
        : decidedBy.kind === "policy"
          ? `policy '${decidedBy.name}'`
          : decidedBy.kind === "grant"
            ? `grant '${decidedBy.grantId}'`
            : "its deadline";
  return decidedAt === null ? who : `${who} at ${decidedAt}`;
}

/**
 * Internal: the stamps a workflow already put on its step agent's decisions (it authorised and
 * audited them); the agent copies them instead of deciding again.
 */
export const decidedUpstream: unique symbol = Symbol("kern.decidedUpstream");

/** Internal: the id of the signed decision link a continue applies; recorded as the entries' `linkId`. */
export const viaDecisionLink: unique symbol = Symbol("kern.viaDecisionLink");

/**
 * A stamp a workflow put on its step agent's decision, with the call's deadline and escalation as
 * the workflow's pause left them: a decision its deadline made is applied by what they say.
 */
export interface UpstreamStamp extends DecisionStamp {
  timeout?: GateDeadline | null;
  escalation?: Escalation | null;
}

/** The stamps of an executor pause's tool-call decisions, by requirement id, for the step's agent. */
export function upstreamStamps(
  calls: readonly {
    requirement: {
      id: string;
      decidedBy: DecidedBy | null;
      decidedAt: string | null;
      timeout?: GateDeadline | null;
      escalation?: Escalation | null;
    };
  }[],
): Map<string, UpstreamStamp> {
  const stamps = new Map<string, UpstreamStamp>();
  for (const { requirement } of calls) {
    if (requirement.decidedBy !== null && requirement.decidedAt !== null)
      stamps.set(requirement.id, {
        decidedBy: requirement.decidedBy,
        decidedAt: requirement.decidedAt,
        timeout: requirement.timeout ?? null,
        escalation: requirement.escalation ?? null,
      });
  }
  return stamps;
}
