import type { DecisionRecord } from "../db/index.js";
import { NotAuthorizedError } from "../errors.js";
import {
  type AgentRunState,
  appendDecision,
  auditedDecision,
  type DecisionStamp,
  decidedByOf,
  escalatedPolicy,
  findSite,
  type GatePolicy,
  openGate,
  type Principal,
  refusal,
} from "../runs/index.js";
import type { Tool } from "../tools/index.js";
import { toolAtPath } from "./agent-tool.js";
import { RunOutput } from "./run-output.js";
import type { RunRequirement } from "./run-requirement.js";

/**
 * After the caller's decisions are applied and before the run is claimed: checks that `actor`
 * may make every decision this call makes (throwing NotAuthorizedError, with nothing stored,
 * when it may not), stamps each with who decided and when, and returns the audit entries the
 * claim stores with it. Decisions a workflow already stamped (`upstream`) are copied as they are:
 * the workflow authorised them and keeps their entries in its own chain.
 */
export function authorizeDecisions(
  state: AgentRunState,
  tools: ReadonlyMap<string, Tool>,
  actor: Principal | undefined,
  upstream: ReadonlyMap<string, DecisionStamp> | undefined,
  via: { linkId: string | null; now?: number } = { linkId: null },
): DecisionRecord[] {
  const now = via.now ?? Date.now();
  const view = new RunOutput(state);
  const fresh = view.requirements.filter(
    (requirement) => !requirement.isFrozen && requirement.decision !== null && requirement.decidedBy === null,
  );
  const own = fresh.filter((requirement) => !upstream?.has(requirement.id));
  for (const requirement of own) {
    const policy = toolAtPath(tools, requirement.path)?.policy ?? openGate<RunRequirement>();
    const reason = refusal(escalatedTo(policy, requirement), actor, requirement, state.userId);
    if (reason !== null) throw new NotAuthorizedError(requirement.id, actor?.id ?? null, reason);
  }
  const stamp: DecisionStamp = { decidedBy: decidedByOf(actor), decidedAt: new Date(now).toISOString() };
  const entries: DecisionRecord[] = [];
  for (const requirement of fresh) {
    const stored = findSite(state, requirement.id)?.requirement;
    if (stored === undefined) continue;
    const given = upstream?.get(requirement.id) ?? stamp;
    stored.decidedBy = given.decidedBy;
    stored.decidedAt = given.decidedAt;
    if (upstream?.has(requirement.id)) continue;
    entries.push(
      appendDecision(state, "agent", {
        requirementId: requirement.id,
        gateKind: requirement.kind,
        // Before prepareResume: toolArgs are still the arguments the person was shown.
        decision: auditedDecision(requirement.decision, requirement.toolExecution.toolArgs),
        decidedBy: given.decidedBy,
        decidedAt: now,
        shownDigest: requirement.shownDigest,
        linkId: via.linkId,
      }),
    );
  }
  return entries;
}

/**
 * Whether `actor` may decide the requirement `requirementId` of a paused run (or, without an id,
 * any requirement of its current pause, decided in memory or not), under its tools' `approvers` and `allowSelfApproval`.
 */
export function mayDecide(
  tools: ReadonlyMap<string, Tool>,
  actor: Principal,
  run: RunOutput,
  requirementId?: string,
  includeDecided = false,
): boolean {
  return run.requirements.some(
    (requirement) =>
      (includeDecided || !requirement.isFrozen) &&
      (requirementId === undefined || requirement.id === requirementId) &&
      refusal(
        escalatedTo(toolAtPath(tools, requirement.path)?.policy ?? openGate<RunRequirement>(), requirement),
        actor,
        requirement,
        run.userId ?? null,
      ) === null,
  );
}

/** The gate's policy as it stands: once a deadline escalated the call, only its escalation's approvers decide it. */
function escalatedTo(policy: GatePolicy<RunRequirement>, requirement: RunRequirement): GatePolicy<RunRequirement> {
  return escalatedPolicy(policy, requirement.escalation?.approvers);
}
