import { type TreeTake, takeInTree } from "../agent/index.js";
import type { Db, DecisionRecord, GrantRecord } from "../db/index.js";
import { Claim, decidedUpstream, type LoadedRun, parentClaim, type WorkflowRunState } from "../runs/index.js";
import type { Component } from "./components/component.js";
import { findAgent } from "./components/walk.js";
import { timeoutDecision } from "./engine/decisions.js";
import { stepAgentDecisions } from "./engine/executor-requirements.js";
import { resolvedAtCursor } from "./engine/open-requirements.js";
import { workflowRunAccess } from "./workflow-run-access.js";

/** A claimed workflow run, and the step agents' runs claimed in the same write, by run id. */
export interface TreeClaim {
  claim: Claim<WorkflowRunState>;
  agentClaims: Map<string, TreeTake>;
}

/**
 * Claims a loaded, decided workflow run: a compare-and-set on its revision that exactly one
 * caller wins (RunAlreadyClaimedError for the others), storing `entries` and `grants` with it.
 *
 * When the continue resumes a step's agent from its executor pause, and the agent stores its runs
 * in the workflow's Db, the agent's run is decided and claimed in the same write: one commit
 * claims the whole tree, and the approved call may start as soon as it is stored. Anything that
 * keeps the agent's claim from being prepared that way (a deadline that cancels it, a refused
 * decision, a previous definition) leaves it to the agent's own continueRun(), as before.
 */
export async function claimTree(
  db: Db,
  steps: readonly Component[],
  loaded: LoadedRun<WorkflowRunState>,
  leaseMs: number,
  entries: readonly DecisionRecord[],
  grants: readonly GrantRecord[],
): Promise<TreeClaim> {
  const agentClaims = new Map<string, TreeTake>();
  const take = await stepAgentTake(db, steps, loaded.state);
  if (take === null)
    return { claim: await Claim.take(db, workflowRunAccess, loaded, leaseMs, entries, grants), agentClaims };
  const write = Claim.prepareTake(workflowRunAccess, loaded, leaseMs, entries, grants);
  if (!(await db.writeRuns([take.write, write]))) {
    // The workflow run changed (another continue won), or, which only a hand-edited store can
    // cause, its agent run alone did: claim the workflow run alone, which tells the two apart.
    return { claim: await Claim.take(db, workflowRunAccess, loaded, leaseMs, entries, grants), agentClaims };
  }
  agentClaims.set(take.runId, take);
  return { claim: Claim.adopt(db, workflowRunAccess, loaded.state, write.record.revision, leaseMs), agentClaims };
}

/** The claim write of the step agent's run this continue resumes, decided, or null. */
async function stepAgentTake(db: Db, steps: readonly Component[], state: WorkflowRunState): Promise<TreeTake | null> {
  const resolved = resolvedAtCursor(state);
  if (resolved?.kind !== "executor" || timeoutDecision(resolved) !== null) return null;
  const agent = findAgent(steps, resolved.executor.id);
  if (agent === undefined || (agent.ownDb ?? db) !== db) return null;
  const { decisions, stamps } = stepAgentDecisions(resolved.calls);
  const ref = { runId: resolved.executor.runId, sessionId: state.sessionId, decisions };
  return agent[takeInTree](ref, { db, [parentClaim]: state.runId, [decidedUpstream]: stamps });
}
