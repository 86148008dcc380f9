import { InvalidResolutionError, RequirementResolvedError, UnresolvedRequirementError } from "../errors.js";
import { checkSuppliedVersion, lazyModule, type AgentRunState, type Resolution } from "../runs/index.js";
import { checkJsonData } from "../runs/check-input.js";
import type { Tool } from "../tools/index.js";
import type * as ContinueInputSchema from "./agent-continue-input-schema.js";
import { RunOutput } from "./run-output.js";

/** The second form of `continueRun`: ids plus requirement JSON from `RunRequirement.toJSON()`. */
export interface ContinueRunRef {
  runId: string;
  sessionId: string;
  requirements?: unknown[];
}

/** A decision the caller brought, keyed by requirement id. */
export interface SuppliedResolution {
  id: string;
  resolution: Resolution | null;
}

const schemas = lazyModule<typeof ContinueInputSchema>(import.meta.url, "./agent-continue-input-schema.js");

/** Reads what the caller passed to continueRun: its run ids and the decisions it carries. */
export function readContinueInput(run: RunOutput | ContinueRunRef): {
  runId: string;
  sessionId: string;
  supplied: SuppliedResolution[];
} {
  if (run instanceof RunOutput) {
    const supplied = run.requirements
      .filter((requirement) => !requirement.isFrozen)
      .map((requirement) => ({ id: requirement.id, resolution: requirement.resolution }));
    return { runId: run.runId, sessionId: run.sessionId, supplied };
  }
  const parsed = schemas().continueRefSchema.safeParse(run);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidResolutionError(
      "(input)",
      `continueRun() takes a RunOutput or { runId, sessionId, requirements? } where each requirement ` +
        `is RunRequirement.toJSON() output; problem at '${issue?.path.join(".") ?? ""}': ${issue?.message ?? "invalid"}.`,
    );
  }
  for (const entry of parsed.data.requirements ?? []) checkSuppliedVersion(entry["schemaVersion"]);
  const supplied = (parsed.data.requirements ?? []).map((entry) => ({ id: entry.id, resolution: entry.resolution ?? null }));
  return { runId: parsed.data.runId, sessionId: parsed.data.sessionId, supplied };
}

/**
 * Applies the caller's decisions to freshly loaded state and checks that every active
 * requirement is resolved, all before anything is claimed or run. Throws on the first problem;
 * the caller discards the loaded state, so nothing stored changes.
 */
export function applyResolutions(
  state: AgentRunState,
  supplied: readonly SuppliedResolution[],
  tools: ReadonlyMap<string, Tool>,
): void {
  const view = new RunOutput(state);
  const byId = new Map(view.requirements.map((requirement) => [requirement.id, requirement]));
  const active = new Set(view.activeRequirements.map((requirement) => requirement.id));
  const stale: string[] = [];
  for (const { id, resolution } of supplied) {
    const requirement = byId.get(id);
    if (requirement === undefined) {
      throw new InvalidResolutionError(id, `Run '${state.runId}' has no requirement '${id}'.`);
    }
    if (resolution === null) continue;
    if (requirement.isFrozen) {
      if (JSON.stringify(requirement.resolution) !== JSON.stringify(resolution)) {
        throw new RequirementResolvedError(id, `it was already ${requirement.resolution?.type ?? "resolved"}`);
      }
      stale.push(id);
      continue;
    }
    if (resolution.type === "userInput") checkJsonData(`requirement '${id}' userInput`, resolution.values);
    requirement.applyResolution(resolution);
    if (resolution.type === "userInput") {
      const tool = tools.get(requirement.toolExecution.toolName);
      const checked = tool?.checkUserInput(resolution.values);
      if (checked?.ok === false) {
        throw new InvalidResolutionError(id, `User input for ${requirement.description} is invalid: ${checked.problem}.`);
      }
    }
  }
  const missing = view.activeRequirements.map((requirement) => ({
    requirementId: requirement.id,
    description: `${state.agentName}: ${requirement.description}`,
    needs: requirement.needs,
  }));
  // A decision for a pause that is over, and none for the current one: a client that lost the race
  // to decide, not one that forgot a requirement.
  const [first] = stale;
  if (missing.length > 0 && first !== undefined && !supplied.some((entry) => active.has(entry.id))) {
    throw new RequirementResolvedError(first, "it was already decided by an earlier continueRun and the run has moved on; load it again to see what it waits for now");
  }
  if (missing.length > 0) throw new UnresolvedRequirementError(missing);
}
