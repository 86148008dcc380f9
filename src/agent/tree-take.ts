import type { Db, DecisionRecord, RunWrite } from "../db/index.js";
import { type AgentRunState, Claim, parentClaim } from "../runs/index.js";
import type { Tool } from "../tools/index.js";
import { agentRunAccess, loadAgentRun } from "./agent-run-access.js";
import { decideContinue } from "./continue-decisions.js";
import { type ContinueRunRef, readContinueInput } from "./continue-input.js";
import { checkOutermost } from "./outermost.js";
import type { ContinueOptions } from "./run-options.js";

/**
 * A paused step agent's run, decided and ready to be claimed in its workflow run's claim write:
 * one commit claims the whole tree (the workflow run and the agent run it continues), instead of
 * the workflow's claim followed by the agent's.
 */
export interface TreeTake {
  runId: string;
  /** The claim write (a compare-and-set on the agent run's revision), with its audit entries and grants. */
  write: RunWrite;
  state: AgentRunState;
  /** The audit entries of the decisions the claim acts on (each gets its "awaiting human" span). */
  entries: DecisionRecord[];
}

/** The key of Agent's method that prepares a TreeTake (internal: workflows call it). */
export const takeInTree: unique symbol = Symbol("kern.takeInTree");

/** The key of Agent's method that drives a run its workflow claimed with a TreeTake. */
export const continueTaken: unique symbol = Symbol("kern.continueTaken");

/** What prepareTreeTake needs of the agent. */
export interface TreeTakeAgent {
  id: string;
  tools: ReadonlyMap<string, Tool>;
  leaseMs: number;
  now: number;
  /** True when this agent's definition (not a previous version) serves the stored run. */
  serves: (state: AgentRunState) => boolean;
}

/**
 * Loads and decides a continue of a step agent's paused run exactly as continueRun() would, and
 * returns its claim write without storing anything; null when the run cannot be continued that
 * way (not paused, served by a previous definition, a deadline cancels it, a decision is refused):
 * the caller then claims its own run alone, and continueRun() reports the reason as it always does.
 */
export async function prepareTreeTake(
  db: Db,
  agent: TreeTakeAgent,
  ref: ContinueRunRef,
  options: ContinueOptions,
): Promise<TreeTake | null> {
  try {
    const { runId, sessionId, supplied } = readContinueInput(ref);
    const loaded = await loadAgentRun(db, agent.id, runId, sessionId);
    checkOutermost(loaded.state, options[parentClaim], "continued");
    if (loaded.state.status !== "paused" || !agent.serves(loaded.state)) return null;
    const decision = decideContinue(loaded, supplied, agent.tools, options, agent.now);
    if ("cancelReason" in decision) return null;
    const { entries, grants } = decision;
    const write = Claim.prepareTake(agentRunAccess, loaded, agent.leaseMs, entries, grants);
    return { runId, write, state: loaded.state, entries };
  } catch {
    return null;
  }
}

/** Holds the claim of a run its workflow stored with a TreeTake. */
export function adoptTreeTake(db: Db, take: TreeTake, leaseMs: number): Claim<AgentRunState> {
  return Claim.adopt(db, agentRunAccess, take.state, take.write.record.revision, leaseMs);
}
