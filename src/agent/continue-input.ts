import { InvalidResolutionError, RequirementResolvedError, UnresolvedRequirementError } from "../errors.js";
import {
  type AgentRunState,
  checkEditedArgs,
  checkJsonData,
  checkSuppliedVersion,
  describeDecider,
  lazyModule,
  migrateToolRequirement,
  type ToolDecision,
} from "../runs/index.js";
import type { Tool } from "../tools/index.js";
import type * as ContinueInputSchema from "./agent-continue-input-schema.js";
import { toolAtPath } from "./agent-tool.js";
import { RunOutput } from "./run-output.js";

/** One decision as data: which requirement, and what was decided about it. */
export interface ToolDecisionInput {
  requirementId: string;
  decision: ToolDecision;
}

/**
 * The second form of an agent's `continueRun`: ids plus the decisions, either as
 * `RunRequirement.toJSON()` output (`requirements`) or as `decisions`. A workflow's run (or its
 * `stepRequirements`) is not one: pass it to the workflow.
 */
export interface ContinueRunRef {
  runId: string;
  sessionId: string;
  /** `RunRequirement.toJSON()` output of the decided requirements. */
  requirements?: ReadonlyArray<{ id: string; schemaVersion?: number; decision?: ToolDecision | null }>;
  /** The decisions as data, one per requirement id. */
  decisions?: readonly ToolDecisionInput[];
  stepRequirements?: never;
}

/** A decision the caller brought, keyed by requirement id. */
export interface SuppliedDecision {
  id: string;
  decision: ToolDecision | null;
}

const schemas = lazyModule<typeof ContinueInputSchema>(import.meta.url, "./agent-continue-input-schema.js");

function problemAt(error: { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  return `problem at '${issue?.path.map(String).join(".") ?? ""}': ${issue?.message ?? "invalid"}`;
}

/** The decision a requirement's JSON carries (migrating version 1's `resolution`). */
function decisionOfJson(entry: Record<string, unknown>): SuppliedDecision {
  const current = checkSuppliedVersion(entry) === 1 ? migrateToolRequirement(entry) : entry;
  const parsed = schemas().requirementJsonSchema.safeParse(current);
  if (!parsed.success) {
    throw new InvalidResolutionError(
      String(entry["id"] ?? "(input)"),
      `A supplied requirement is not RunRequirement.toJSON() output (${problemAt(parsed.error)}).`,
    );
  }
  return { id: parsed.data.id, decision: parsed.data.decision ?? null };
}

/** Reads what the caller passed to continueRun: its run ids and the decisions it carries. */
export function readContinueInput(run: RunOutput | ContinueRunRef): {
  runId: string;
  sessionId: string;
  supplied: SuppliedDecision[];
} {
  if (run instanceof RunOutput) {
    const supplied = run.requirements
      .filter((requirement) => !requirement.isFrozen)
      .map((requirement) => ({ id: requirement.id, decision: requirement.decision }));
    return { runId: run.runId, sessionId: run.sessionId, supplied };
  }
  const parsed = schemas().continueRefSchema.safeParse(run);
  if (!parsed.success) {
    throw new InvalidResolutionError(
      "(input)",
      "continueRun() takes a RunOutput or { runId, sessionId, requirements?, decisions? }: requirements as " +
        `RunRequirement.toJSON() output, decisions as { requirementId, decision }; ${problemAt(parsed.error)}.`,
    );
  }
  const fromJson = (parsed.data.requirements ?? []).map(decisionOfJson);
  const fromDecisions = (parsed.data.decisions ?? []).map((entry) => ({
    id: entry.requirementId,
    decision: entry.decision,
  }));
  return { runId: parsed.data.runId, sessionId: parsed.data.sessionId, supplied: [...fromJson, ...fromDecisions] };
}

/**
 * Applies the caller's decisions to freshly loaded state and checks that every active
 * requirement is resolved, all before anything is claimed or run. Throws on the first problem;
 * the caller discards the loaded state, so nothing stored changes.
 */
export function applyResolutions(
  state: AgentRunState,
  supplied: readonly SuppliedDecision[],
  tools: ReadonlyMap<string, Tool>,
): void {
  const view = new RunOutput(state);
  const byId = new Map(view.requirements.map((requirement) => [requirement.id, requirement]));
  const active = new Set(view.activeRequirements.map((requirement) => requirement.id));
  const stale: string[] = [];
  for (const { id, decision } of supplied) {
    const requirement = byId.get(id);
    if (requirement === undefined) {
      throw new InvalidResolutionError(id, `Run '${state.runId}' has no requirement '${id}'.`);
    }
    if (decision === null) continue;
    if (requirement.isFrozen) {
      if (JSON.stringify(requirement.decision) !== JSON.stringify(decision)) {
        throw new RequirementResolvedError(
          id,
          `it was already decided (${requirement.decision?.type ?? "closed"}) by ${describeDecider(requirement.decidedBy, requirement.decidedAt)}`,
        );
      }
      stale.push(id);
      continue;
    }
    // Its deadline decided it first (in this continue, or a sweep stored it): the deadline's decision stands.
    if (requirement.decidedBy?.kind === "timeout") continue;
    if (decision.type === "input") checkJsonData(`requirement '${id}' input`, decision.values);
    requirement.applyDecision(decision);
    // A sub-agent's call is checked against that agent's tool.
    const tool = toolAtPath(tools, requirement.path);
    checkEditedArgs(requirement, tool);
    if (decision.type === "input") {
      const checked = tool?.checkUserInput(decision.values);
      if (checked?.ok === false) {
        throw new InvalidResolutionError(
          id,
          `User input for ${requirement.description} is invalid: ${checked.problem}.`,
        );
      }
    }
  }
  const missing = view.activeRequirements.map((requirement) => ({
    requirementId: requirement.id,
    description: `${requirement.path.slice(0, -1).join(" › ")}: ${requirement.description}`,
    needs: requirement.needs,
    accepts: requirement.accepts,
  }));
  // A decision for a pause that is over, and none for the current one: a client that lost the race
  // to decide, not one that forgot a requirement.
  const [first] = stale;
  if (missing.length > 0 && first !== undefined && !supplied.some((entry) => active.has(entry.id))) {
    const earlier = byId.get(first);
    throw new RequirementResolvedError(
      first,
      `it was already decided by ${describeDecider(earlier?.decidedBy ?? null, earlier?.decidedAt ?? null)} and the run has moved on; load it again to see what it waits for now`,
    );
  }
  if (missing.length > 0) throw new UnresolvedRequirementError(missing);
}
