import {
  type AgentRunState,
  appendDecision,
  askPolicy,
  type DecidedBy,
  type RequirementState,
  type ToolExecutionState,
  toolCallDigest,
} from "../runs/index.js";
import type { Tool } from "../tools/index.js";
import type { BatchContext } from "./tool-batch.js";

/**
 * Approves a confirmation by an active grant ("always allow this tool") that applies to the
 * call, before any policy is asked. Recorded like a policy's approval: frozen on the requirement
 * with `decidedBy: { kind: "grant", grantId }`, and as an automatic entry of the decisions table
 * naming the grant, stored before the call runs. Returns true when a grant decided.
 */
export async function applyGrant(
  state: AgentRunState,
  requirement: RequirementState,
  execution: ToolExecutionState,
  context: Pick<BatchContext, "findGrant" | "recordDecisions" | "now" | "audit">,
): Promise<boolean> {
  if (requirement.kind !== "confirmation" || context.findGrant === undefined) return false;
  const grant = await context.findGrant(state, execution.toolName, execution.toolArgs);
  if (grant === null) return false;
  const now = context.now();
  const decidedBy: DecidedBy = { kind: "grant", id: `kern:grant:${grant.id}`, roles: [], grantId: grant.id };
  requirement.decision = { type: "confirm" };
  requirement.decidedBy = decidedBy;
  requirement.decidedAt = new Date(now).toISOString();
  requirement.frozen = true;
  execution.phase = "queued";
  // The stored run's chain records it (a sub-agent's call: the run that holds the sub-run).
  const entry = appendDecision(context.audit, "agent", {
    requirementId: requirement.id,
    gateKind: requirement.kind,
    decision: { type: "confirm", grant: grant.id },
    decidedBy,
    decidedAt: now,
    shownDigest: toolCallDigest(requirement.kind, execution),
  });
  context.recordDecisions([entry]);
  return true;
}

/**
 * Asks the gate's policy (the tool's, else the agent's) about a call that just got its
 * requirement: "allow" approves it (it runs with the batch), "deny" rejects it (the model is told
 * why), "ask" leaves it for a person. A policy's decision is recorded like a person's: frozen on
 * the requirement with who decided (the policy, by name, with its reason), and as an automatic
 * entry of the decisions table stored with the run's next write, before the call runs. "allow"
 * decides only confirmations: a gate that needs values (input, an external result) still asks.
 */
export async function applyPolicy(
  state: AgentRunState,
  requirement: RequirementState,
  execution: ToolExecutionState,
  tool: Tool,
  context: Pick<BatchContext, "agentPolicy" | "agentName" | "recordDecisions" | "audit">,
): Promise<void> {
  const policy = tool.autoPolicy ?? context.agentPolicy;
  if (policy === undefined) return;
  const { verdict, reason, name } = await askPolicy(policy, {
    gate: "tool",
    toolName: execution.toolName,
    args: execution.toolArgs,
    origin: execution.origin ?? null,
    run: {
      kind: "agent",
      runId: state.runId,
      sessionId: state.sessionId,
      userId: state.userId,
      agentName: context.agentName,
    },
  });
  if (verdict === "ask" || (verdict === "allow" && requirement.kind !== "confirmation")) return;
  const now = Date.now();
  const decidedBy: DecidedBy = { kind: "policy", id: `kern:policy:${name}`, roles: [], name, reason };
  const decision = verdict === "allow" ? { type: "confirm" as const } : { type: "reject" as const, feedback: reason };
  requirement.decision = decision;
  requirement.decidedBy = decidedBy;
  requirement.decidedAt = new Date(now).toISOString();
  requirement.frozen = true;
  if (verdict === "allow") {
    execution.phase = "queued";
  } else {
    execution.phase = "rejected";
    execution.result = `Policy '${name}' denied this call; it was not executed.${reason === null ? "" : ` Reason: ${reason}`}`;
  }
  const entry = appendDecision(context.audit, "agent", {
    requirementId: requirement.id,
    gateKind: requirement.kind,
    decision: { ...decision, policy: name, reason },
    decidedBy,
    decidedAt: now,
    shownDigest: toolCallDigest(requirement.kind, execution),
  });
  context.recordDecisions([entry]);
}
