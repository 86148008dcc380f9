import type { DecisionRecord } from "../db/index.js";
import {
  type AnyGatePolicy,
  appendDecision,
  askPolicy,
  type DecidedBy,
  type StepPolicy,
  type StepRequirementState,
  stepGateDigest,
  type WorkflowRunState,
} from "../runs/index.js";
import type { Component } from "./components/component.js";
import { walk } from "./components/walk.js";
import { freeze } from "./continue-input.js";
import { componentAtPath } from "./engine/locate.js";
import { openRequirements } from "./engine/open-requirements.js";

/** The gates a policy may approve ("allow"); a policy may reject ("deny") these and input and route gates. */
const APPROVABLE = new Set(["confirmation", "outputReview", "iterationReview"]);
const REJECTABLE = new Set([...APPROVABLE, "userInput", "route"]);

/** The policy of the component a requirement belongs to, else the workflow's default. */
function policyOf(
  steps: readonly Component[],
  active: StepRequirementState,
  fallback: AnyGatePolicy | undefined,
): StepPolicy | undefined {
  const component = componentAtPath(steps, active.stepPath);
  const own = component !== undefined && "policy" in component ? component.policy.auto : undefined;
  // A component's `policy` option is typed StepPolicy (GateAccessOptions); stored opaque on its gate.
  return typeof own === "function" ? (own as StepPolicy) : fallback;
}

/**
 * When a drive paused on a workflow gate whose component (or the workflow) has a policy that
 * decides it, applies that decision as a person's would be: frozen on the requirement with the
 * policy as who decided, and returns its audit entry (stored with the run's next write). Returns
 * null when a person must decide every open requirement (a Parallel's branches each have one).
 */
export async function autoDecide(
  steps: readonly Component[],
  state: WorkflowRunState,
  fallback: AnyGatePolicy | undefined,
  now: number,
): Promise<DecisionRecord | null> {
  for (const active of openRequirements(state)) {
    const entry = await decideByPolicy(steps, state, active, fallback, now);
    if (entry !== null) return entry;
  }
  return null;
}

async function decideByPolicy(
  steps: readonly Component[],
  state: WorkflowRunState,
  active: StepRequirementState,
  fallback: AnyGatePolicy | undefined,
  now: number,
): Promise<DecisionRecord | null> {
  if (!REJECTABLE.has(active.kind)) return null;
  const policy = policyOf(steps, active, fallback);
  if (policy === undefined) return null;
  const output = "output" in active && active.output !== null ? active.output.content : null;
  const { verdict, reason, name } = await askPolicy(policy, {
    gate: "step",
    kind: active.kind,
    stepName: active.stepName,
    stepType: active.stepType,
    message: active.message,
    output: typeof output === "string" ? output : null,
    run: {
      kind: "workflow",
      runId: state.runId,
      sessionId: state.sessionId,
      userId: state.userId,
      workflowName: state.workflowName,
    },
  });
  if (verdict === "ask" || (verdict === "allow" && !APPROVABLE.has(active.kind))) return null;
  const shownDigest = stepGateDigest(active);
  const decision = verdict === "allow" ? { type: "confirm" as const } : { type: "reject" as const, feedback: reason };
  const decidedBy: DecidedBy = { kind: "policy", id: `kern:policy:${name}`, roles: [], name, reason };
  (active as { decision: unknown }).decision = decision;
  active.decidedBy = decidedBy;
  active.decidedAt = new Date(now).toISOString();
  freeze(active);
  return appendDecision(state, "workflow", {
    requirementId: active.id,
    gateKind: active.kind,
    decision: { ...decision, policy: name, reason },
    decidedBy,
    decidedAt: now,
    shownDigest,
  });
}

/** True when some component of `steps` has a `policy` of its own. */
export function hasComponentPolicies(steps: readonly Component[]): boolean {
  // A definition never changes: walk it once, not on every drive.
  let known = withPolicies.get(steps);
  if (known === undefined) {
    known = [...walk(steps)].some((component) => "policy" in component && component.policy.auto !== undefined);
    withPolicies.set(steps, known);
  }
  return known;
}

const withPolicies = new WeakMap<readonly Component[], boolean>();
