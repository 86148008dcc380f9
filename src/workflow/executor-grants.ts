import { agentAtPath } from "../agent/index.js";
import type { Db, DecisionRecord, GrantRecord } from "../db/index.js";
import { InvalidResolutionError } from "../errors.js";
import { grantRecordFor, type RequirementOf, type WorkflowRunState } from "../runs/index.js";
import type { Component } from "./components/component.js";
import { findAgent } from "./components/walk.js";

/**
 * The grants ("always allow this tool") asked for with the tool-call approvals of a workflow's
 * executor pause that this continue decided (`decided`: its audit entries), as records to store
 * with the workflow's claim. Each is the step agent's (ownerId: its agent id), so its later calls
 * find it. Scopes name the workflow run: `"run"` is the workflow run (every run of the step agent
 * inside it), `"session"` and `"user"` are the workflow run's, which its step agents share.
 *
 * Throws, changing nothing stored, when a grant scoped to the user is asked for on a run without a
 * userId, or when the step agent stores its runs in a Db of its own: the grant could not be stored
 * with the workflow's claim and still be found where the agent looks.
 */
export function executorGrants(
  steps: readonly Component[],
  state: WorkflowRunState,
  decided: readonly DecisionRecord[],
  db: Db,
  now: number,
): GrantRecord[] {
  const decidedIds = new Set(decided.map((entry) => entry.requirementId));
  const grants: GrantRecord[] = [];
  // The executor pauses this continue decided: the last one, or one per decided Parallel branch.
  for (const active of state.stepRequirements) {
    if (active.kind !== "executor" || !active.calls.some((call) => decidedIds.has(call.requirement.id))) continue;
    grants.push(...grantsOf(steps, state, active, decidedIds, db, now));
  }
  return grants;
}

function grantsOf(
  steps: readonly Component[],
  state: WorkflowRunState,
  active: RequirementOf<"executor">,
  decidedIds: ReadonlySet<string>,
  db: Db,
  now: number,
): GrantRecord[] {
  const grants: GrantRecord[] = [];
  for (const { requirement, execution, path } of active.calls) {
    const { decision } = requirement;
    if (!decidedIds.has(requirement.id) || decision?.type !== "confirm" || decision.grant === undefined) continue;
    const stepAgent = findAgent(steps, active.executor.id);
    const ownDb = stepAgent?.ownDb;
    if (ownDb !== undefined && ownDb !== db) {
      throw new InvalidResolutionError(
        requirement.id,
        `The agent '${active.executor.name}' of this step stores its runs in a Db of its own, so a grant made ` +
          `through the workflow would not be found by it; approve without a grant, or give the agent the ` +
          `workflow's Db. Nothing was stored.`,
      );
    }
    const ask = { requirementId: requirement.id, toolName: execution.toolName, grant: decision.grant };
    // A sub-agent's call grants for that agent's tool (its runs live in the step agent's).
    const owner = stepAgent === undefined ? undefined : agentAtPath(stepAgent, path);
    grants.push(
      grantRecordFor(
        { ...ask, createdBy: requirement.decidedBy?.id ?? "kern:code" },
        owner?.id ?? active.executor.id,
        state,
        now,
      ),
    );
  }
  return grants;
}
