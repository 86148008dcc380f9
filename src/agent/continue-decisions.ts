import type { Db, DecisionRecord, GrantRecord } from "../db/index.js";
import {
  type AgentRunState,
  Claim,
  decidedUpstream,
  grantsToStore,
  handOffRun,
  type LoadedRun,
  viaDecisionLink,
} from "../runs/index.js";
import type { Tool } from "../tools/index.js";
import { agentRunAccess } from "./agent-run-access.js";
import { applyResolutions, type SuppliedDecision } from "./continue-input.js";
import { adoptUpstreamDeadlines, cancelledByDeadline, cancelPausedRun, lapseToolCalls } from "./deadlines.js";
import { authorizeDecisions } from "./decide.js";
import { prepareResume } from "./resume-batch.js";
import type { ContinueOptions } from "./run-options.js";
import type { RunOutput } from "./run-output.js";

/** What a continue decided: audit entries and grants to store with its claim, or a deadline's "cancel". */
export type ContinueDecision =
  | { entries: DecisionRecord[]; grants: GrantRecord[] }
  | { cancelReason: string; lapsed: DecisionRecord[] };

/**
 * Everything a continue decides before the run moves on, on freshly loaded state (changing only
 * that state): what a workflow decided for its step agent, what lapsed deadlines decide or
 * escalate (first: a late decision for such a call is ignored), the caller's decisions (checked,
 * then authorised and stamped). Throws when a decision is missing, invalid or not the actor's to
 * make.
 */
export function decideContinue(
  loaded: LoadedRun<AgentRunState>,
  supplied: readonly SuppliedDecision[],
  tools: ReadonlyMap<string, Tool>,
  options: ContinueOptions,
  now: number,
): ContinueDecision {
  const { state } = loaded;
  adoptUpstreamDeadlines(state, options[decidedUpstream]);
  const lapsed = lapseToolCalls(state, now, false).entries;
  // A deadline that cancels the run does so at once, whatever the batch's other calls wait for.
  const reason = cancelledByDeadline(state);
  if (reason !== null) return { cancelReason: reason, lapsed };
  applyResolutions(state, supplied, tools);
  const decided = authorizeDecisions(state, tools, options.actor, options[decidedUpstream], {
    linkId: options[viaDecisionLink] ?? null,
    now,
  });
  const entries = [...lapsed, ...decided];
  // Grants asked for with this continue's approvals are stored with its claim, or not at all.
  const grants = grantsToStore(state, new Set(decided.map((entry) => entry.requirementId)), now);
  prepareResume(state);
  return { entries, grants };
}

/**
 * Decides the continue (decideContinue), then claims the run with its audit entries, ready to
 * drive (or, with `handOff`, stores it `pending` for a queue's worker to claim); or, when a
 * call's deadline says "cancel", stores it cancelled at once. Throws, changing nothing stored,
 * when a decision is missing, invalid or not the actor's to make.
 */
export async function claimContinue(
  db: Db,
  loaded: LoadedRun<AgentRunState>,
  supplied: readonly SuppliedDecision[],
  tools: ReadonlyMap<string, Tool>,
  options: ContinueOptions,
  timing: { now: number; leaseMs: number; handOff?: boolean },
): Promise<
  { claim: Claim<AgentRunState>; entries: DecisionRecord[] } | { cancelled: RunOutput } | { handedOff: AgentRunState }
> {
  const { state } = loaded;
  const { now, leaseMs } = timing;
  const decision = decideContinue(loaded, supplied, tools, options, now);
  if ("cancelReason" in decision) {
    const { lapsed: entries, cancelReason: reason } = decision;
    return { cancelled: await cancelPausedRun(db, loaded, leaseMs, { entries, reason, emit: options.onEvent }) };
  }
  const { entries, grants } = decision;
  if (timing.handOff === true) {
    // Stored exactly as the claim would be, `pending`: the worker that claims it drives it from here.
    await handOffRun(db, agentRunAccess, state, loaded, entries, grants);
    return { handedOff: state };
  }
  return { claim: await Claim.take(db, agentRunAccess, loaded, leaseMs, entries, grants), entries };
}
