import type { Db, GrantFilter, GrantRecord, GrantScope } from "../db/index.js";
import { InvalidResolutionError } from "../errors.js";
import type { AgentRunState, GrantRequest, ToolDecision } from "./agent-run-state.js";
import { canonicalJson } from "./audit.js";
import { newId } from "./new-id.js";
import { requirementSites } from "./sub-runs.js";

/**
 * Grants ("always allow this tool"): made with an approval, stored with the claim that acts on
 * it, and looked up when a later gated call of the tool is recorded. The matching rule is simple
 * on purpose: the grant's agent and tool, a scope that contains the run, active at the time, and
 * every key of `argsMatch` equal (as canonical JSON) to the call's argument of that name.
 */

const SCOPES: ReadonlySet<string> = new Set<GrantScope>(["run", "session", "user", "agent"]);

/** Refuses a malformed grant request before anything changes (it may come from JavaScript or JSON). */
export function checkGrantRequest(requirementId: string, grant: unknown, what: string): void {
  const fail = (problem: string): never => {
    throw new InvalidResolutionError(
      requirementId,
      `${what} got a grant whose ${problem}; pass { scope: "run" | "session" | "user" | "agent", ` +
        `argsMatch?: { ...argument values }, expiresInSeconds?: number }.`,
    );
  };
  if (typeof grant !== "object" || grant === null || Array.isArray(grant)) return fail("value is not an object");
  const fields: Record<string, unknown> = { ...grant };
  const unknownKey = Object.keys(fields).find((key) => !["scope", "argsMatch", "expiresInSeconds"].includes(key));
  if (unknownKey !== undefined) fail(`key ${JSON.stringify(unknownKey)} is not known`);
  if (typeof fields["scope"] !== "string" || !SCOPES.has(fields["scope"])) fail("scope is not one of the four");
  const argsMatch = fields["argsMatch"];
  if (argsMatch !== undefined && argsMatch !== null && (typeof argsMatch !== "object" || Array.isArray(argsMatch))) {
    fail("argsMatch is not an object of argument values");
  }
  const expires = fields["expiresInSeconds"];
  if (
    expires !== undefined &&
    expires !== null &&
    (typeof expires !== "number" || !(expires > 0) || !Number.isFinite(expires))
  ) {
    fail("expiresInSeconds is not a positive number");
  }
}

type ConfirmDecision = Extract<ToolDecision, { type: "confirm" }>;

/** A copy of a confirm decision, so changing the caller's objects later changes nothing decided. */
export function copyConfirm(decision: ConfirmDecision): ConfirmDecision {
  const copy: ConfirmDecision = { type: "confirm" };
  if (decision.args !== undefined) copy.args = { ...decision.args };
  if (decision.grant !== undefined) copy.grant = JSON.parse(JSON.stringify(decision.grant)) as GrantRequest;
  return copy;
}

/** The ids a grant's scope can name: the run, its session, its user, and the workflow run it is a step of. */
export type GrantScopeIds = Pick<AgentRunState, "runId" | "sessionId" | "userId" | "parentRunId">;

/** One tool-call approval that asks for a grant: which requirement and tool, who decided, what grant. */
export interface GrantAsk {
  requirementId: string;
  toolName: string;
  createdBy: string;
  grant: GrantRequest;
}

/**
 * The record to store for `ask`, made for the agent `agentId` in the run `scope` names (its
 * `"run"` is `scope.runId`). Throws, changing nothing, when a grant scoped to the user is asked
 * for on a run without a userId.
 */
export function grantRecordFor(
  ask: GrantAsk,
  agentId: string,
  scope: Pick<AgentRunState, "runId" | "sessionId" | "userId">,
  now: number,
): GrantRecord {
  const { scope: kind, argsMatch, expiresInSeconds } = ask.grant;
  const scopeId = scopeIdOf(kind, scope);
  if (kind !== "agent" && scopeId === null) {
    throw new InvalidResolutionError(
      ask.requirementId,
      `A grant scoped to the user needs a run with a userId; the run '${scope.runId}' has none. ` +
        `Choose scope "session", "run" or "agent". Nothing was stored.`,
    );
  }
  return {
    id: newId(),
    ownerKind: "agent",
    ownerId: agentId,
    toolName: ask.toolName,
    scope: kind,
    scopeId,
    argsMatch: argsMatch === undefined || argsMatch === null ? null : JSON.stringify(argsMatch),
    createdBy: ask.createdBy,
    createdAt: now,
    expiresAt:
      expiresInSeconds === undefined || expiresInSeconds === null ? null : now + Math.round(expiresInSeconds * 1000),
    revokedAt: null,
  };
}

/**
 * The grants that the decisions of one continue ask for (`requirementIds`: the requirements it
 * decided), as records to store with its claim. Throws, changing nothing stored, when a grant
 * scoped to the user is asked for on a run without a userId.
 */
export function grantsToStore(state: AgentRunState, requirementIds: ReadonlySet<string>, now: number): GrantRecord[] {
  const grants: GrantRecord[] = [];
  // A sub-agent's call grants for that agent's tool, in the scope of the run that holds it all.
  for (const { owner, requirement, execution } of requirementSites(state)) {
    const { decision } = requirement;
    if (!requirementIds.has(requirement.id) || decision?.type !== "confirm" || decision.grant === undefined) continue;
    const ask = {
      requirementId: requirement.id,
      toolName: execution.toolName,
      createdBy: requirement.decidedBy?.id ?? "kern:code",
    };
    grants.push(grantRecordFor({ ...ask, grant: decision.grant }, owner.agentId, state, now));
  }
  return grants;
}

/** What the scope names for this run: its id, its session, its user (null without one), or null for the agent. */
function scopeIdOf(scope: GrantScope, run: Pick<AgentRunState, "runId" | "sessionId" | "userId">): string | null {
  switch (scope) {
    case "run":
      return run.runId;
    case "session":
      return run.sessionId;
    case "user":
      return run.userId;
    case "agent":
      return null;
    default: {
      const never: never = scope;
      return never;
    }
  }
}

/**
 * True when an active grant (the caller lists active ones) applies to this call: its scope
 * contains the run (a `"run"` grant: the run itself, or the workflow run it is a step of) and every value of its `argsMatch` equals the call's argument of that name.
 */
export function grantApplies(grant: GrantRecord, run: GrantScopeIds, args: Readonly<Record<string, unknown>>): boolean {
  // A step agent's run is inside its workflow's: a grant for "this run" made on the workflow's pause covers it.
  const inRun = grant.scope === "run" && run.parentRunId !== null && run.parentRunId === grant.scopeId;
  if (grant.scope !== "agent" && !inRun && scopeIdOf(grant.scope, run) !== grant.scopeId) return false;
  if (grant.argsMatch === null) return true;
  const expected: unknown = JSON.parse(grant.argsMatch);
  if (typeof expected !== "object" || expected === null) return false;
  return Object.entries(expected).every(
    ([name, value]) => name in args && canonicalJson(args[name]) === canonicalJson(value),
  );
}

/** The page size of {@link findGrant}'s reads: most tools have a handful of grants at most. */
const FIND_PAGE = 100;

/**
 * The oldest grant active at `at` that applies to a gated call of `toolName` with `args` in this
 * run, or null. Reads only the agent's active grants for that tool.
 */
export async function findGrant(
  db: Db,
  run: GrantScopeIds & Pick<AgentRunState, "agentId">,
  toolName: string,
  args: Readonly<Record<string, unknown>>,
  at: number,
): Promise<GrantRecord | null> {
  let after: GrantFilter["after"];
  for (;;) {
    const filter: GrantFilter = { ownerId: run.agentId, toolName, activeAt: at, limit: FIND_PAGE };
    const page = await db.listGrants(after === undefined ? filter : { ...filter, after });
    const found = page.find((grant) => grantApplies(grant, run, args));
    if (found !== undefined) return found;
    const last = page.at(-1);
    if (page.length < FIND_PAGE || last === undefined) return null;
    after = { createdAt: last.createdAt, id: last.id };
  }
}
