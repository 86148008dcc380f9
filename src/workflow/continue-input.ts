import type { z } from "zod";
import {
  InvalidResolutionError,
  type MissingResolution,
  RequirementResolvedError,
  UnresolvedRequirementError,
} from "../errors.js";
import {
  checkJsonData,
  checkSuppliedVersion,
  type DecidedBy,
  describeDecider,
  lazyModule,
  migrateStepRequirement,
  REQUIREMENT_SCHEMA_VERSION,
  type StepDecision,
  type StepRequirementState,
  type ToolDecision,
  type WorkflowRunState,
} from "../runs/index.js";
import { mayGoOnUndecided, openRequirements } from "./engine/open-requirements.js";
import { StepRequirement } from "./step-requirement.js";
import type * as ContinueInputSchema from "./workflow-continue-input-schema.js";
import { WorkflowRunOutput } from "./workflow-run-output.js";

/**
 * One decision as data: which requirement, and what was decided. The tool calls of an executor
 * pause are decided under their own requirement ids (`executorRequirements[].id`).
 */
export interface DecisionInput {
  requirementId: string;
  decision: StepDecision | ToolDecision;
}

/**
 * The second form of a workflow's `continueRun`: ids plus the decisions, either as
 * `StepRequirement.toJSON()` output (`stepRequirements`) or as `decisions`. An agent's run (or its
 * `requirements`) is not one: pass it to the agent.
 */
export interface ContinueWorkflowRef {
  runId: string;
  sessionId: string;
  /** `StepRequirement.toJSON()` output; the active entry's decision (or its calls' decisions) is read. */
  stepRequirements?: ReadonlyArray<{ id: string; schemaVersion?: number; decision?: StepDecision | null }>;
  /** The decisions as data. */
  decisions?: readonly DecisionInput[];
  requirements?: never;
}

const schemas = lazyModule<typeof ContinueInputSchema>(import.meta.url, "./workflow-continue-input-schema.js");
type Supplied = z.infer<typeof ContinueInputSchema.suppliedSchema>;

/** What the caller passed to continueRun. */
export interface WorkflowContinueInput {
  runId: string;
  sessionId: string;
  /** Requirement JSON (StepRequirement.toJSON() output), of either version. */
  supplied: unknown[];
  decisions: DecisionInput[];
  /** True when the caller passed a WorkflowRunOutput (its own view of the run), not decisions as data. */
  fromOutput: boolean;
}

/** Reads what the caller passed to continueRun: the run ids and the decisions it carries. */
export function readWorkflowContinueInput(run: WorkflowRunOutput | ContinueWorkflowRef): WorkflowContinueInput {
  if (run instanceof WorkflowRunOutput) {
    return {
      runId: run.runId,
      sessionId: run.sessionId,
      supplied: run.stepRequirements.map((requirement) => requirement.toJSON()),
      decisions: [],
      fromOutput: true,
    };
  }
  const parsed = schemas().refSchema.safeParse(run);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidResolutionError(
      "(input)",
      `continueRun() takes a WorkflowRunOutput or { runId, sessionId, stepRequirements?, decisions? }; problem at '${issue?.path.join(".") ?? ""}': ${issue?.message ?? "invalid"}.`,
    );
  }
  const { runId, sessionId, stepRequirements = [], decisions = [] } = parsed.data;
  return { runId, sessionId, supplied: stepRequirements, decisions, fromOutput: false };
}

/** Reads one supplied StepRequirement JSON (migrating version 1), for its id and decisions. */
function parseSupplied(entry: unknown): Supplied {
  const version =
    typeof entry === "object" && entry !== null && !Array.isArray(entry)
      ? checkSuppliedVersion(entry as Record<string, unknown>)
      : REQUIREMENT_SCHEMA_VERSION;
  const parsed = schemas().suppliedSchema.safeParse(version === 1 ? migrateStepRequirement(entry) : entry);
  if (!parsed.success) {
    throw new InvalidResolutionError(
      "(input)",
      `A supplied step requirement is malformed: ${parsed.error.issues[0]?.message ?? "invalid"} at '${parsed.error.issues[0]?.path.join(".") ?? ""}'.`,
    );
  }
  return parsed.data;
}

/** The decisions a supplied entry for `requirement` carries, as data. */
function decisionsOf(entry: Supplied, requirement: StepRequirement): DecisionInput[] {
  if (requirement.requiresExecutorInput) {
    return (entry.calls ?? []).flatMap((call) =>
      call.requirement.decision === null
        ? []
        : [{ requirementId: call.requirement.id, decision: call.requirement.decision }],
    );
  }
  return entry.decision === null || entry.decision === undefined
    ? []
    : [{ requirementId: entry.id, decision: entry.decision }];
}

function carriesDecision(entry: Supplied): boolean {
  return (
    (entry.decision !== null && entry.decision !== undefined) ||
    (entry.calls ?? []).some((call) => call.requirement.decision !== null)
  );
}

const TOOL_DECISIONS: ReadonlySet<string> = new Set(["confirm", "reject", "input", "result"]);

/** Applies one decision to the active requirement or one of its tool calls, through their own checks. */
function applyOne(requirement: StepRequirement, { requirementId, decision }: DecisionInput): void {
  if (decision.type === "input") checkJsonData(`requirement '${requirementId}' input`, decision.values);
  if (requirementId === requirement.id) {
    if (requirement.requiresExecutorInput) {
      throw new InvalidResolutionError(
        requirementId,
        `Step '${requirement.stepName}' waits for decisions on its agent's tool calls; ${requirement.accepts}.`,
      );
    }
    if (decision.type === "result")
      throw new InvalidResolutionError(
        requirementId,
        `A decision of type "result" fits a tool call run elsewhere, not the ${requirement.kind} pause of ${requirement.stepType} '${requirement.stepName}'; ${requirement.accepts}.`,
      );
    return requirement.applyDecision(decision);
  }
  const call = requirement.executorRequirements.find((entry) => entry.id === requirementId);
  if (call === undefined)
    throw new InvalidResolutionError(
      requirementId,
      `No requirement '${requirementId}' waits in this pause of ${requirement.stepType} '${requirement.stepName}'.`,
    );
  // Its deadline decided it first (in this continue, or a sweep stored it): the deadline's decision stands.
  if (call.decidedBy?.kind === "timeout") return;
  if (!TOOL_DECISIONS.has(decision.type))
    throw new InvalidResolutionError(
      requirementId,
      `A decision of type ${JSON.stringify(decision.type)} does not fit ${call.description}; ${call.accepts}.`,
    );
  call.applyDecision(decision as ToolDecision);
}

/** What an unresolved requirement (or each undecided tool call of an executor pause) still needs. */
function missing(requirement: StepRequirement): MissingResolution[] {
  if (requirement.requiresExecutorInput) {
    return requirement.executorRequirements
      .filter((entry) => !entry.isResolved)
      .map((entry) => ({
        requirementId: entry.id,
        description: `${requirement.executorName ?? "agent"}: ${entry.description}`,
        needs: entry.needs,
        accepts: entry.accepts,
      }));
  }
  return [
    {
      requirementId: requirement.id,
      description: `${requirement.stepType} '${requirement.stepName}' (${requirement.kind})`,
      needs: requirement.needs,
      accepts: requirement.accepts,
    },
  ];
}

/** The ids of the frozen requirements (and their tool calls): decisions for these come too late. */
function frozenIdsOf(state: WorkflowRunState): Set<string> {
  return new Set(
    state.stepRequirements
      .filter((entry) => entry.frozen)
      .flatMap((entry) => [
        entry.id,
        ...(entry.kind === "executor" ? entry.calls.map((call) => call.requirement.id) : []),
      ]),
  );
}

/**
 * Applies the caller's decisions to the open requirements of freshly loaded state (earlier
 * entries are frozen and never re-applied; see openRequirements() for which are open), then
 * checks them, before anything runs. Returns the open requirements that are now decided (all of
 * an executor pause's tool calls, or a passed deadline): the continue runs on from those, and
 * leaves the others open. Throws UnresolvedRequirementError when a requirement the caller decided
 * in part still misses a decision, or when nothing was decided and nothing can go on without a
 * decision (a run recover() paused at a checkpoint can). Decisions sent as data for a pause that
 * is over, and none for a current one, are a conflict (RequirementResolvedError): the caller lost
 * the race to decide.
 */
export function applyStepDecisions(
  state: WorkflowRunState,
  input: WorkflowContinueInput,
  now: number,
): StepRequirementState[] {
  const open = openRequirements(state);
  const views = new Map(open.map((entry) => [entry.id, new StepRequirement(entry)]));
  // Each open requirement by its own id and by the ids of its tool calls.
  const owners = new Map<string, StepRequirement>();
  for (const view of views.values()) {
    owners.set(view.id, view);
    for (const call of view.executorRequirements) owners.set(call.id, view);
  }
  const frozenIds = frozenIdsOf(state);
  let stale: string | undefined;
  let namedActive = false;
  const decisions: Array<{ view: StepRequirement; decision: DecisionInput }> = [];
  for (const entry of input.supplied.map(parseSupplied)) {
    const view = views.get(entry.id);
    if (view !== undefined) {
      namedActive = true;
      for (const decision of decisionsOf(entry, view)) decisions.push({ view, decision });
    } else if (frozenIds.has(entry.id) && carriesDecision(entry)) {
      stale ??= entry.id;
    }
  }
  for (const decision of input.decisions) {
    const view = owners.get(decision.requirementId);
    if (view !== undefined) {
      namedActive = true;
      decisions.push({ view, decision });
    } else if (frozenIds.has(decision.requirementId)) {
      stale ??= decision.requirementId;
    } else {
      throw new InvalidResolutionError(
        decision.requirementId,
        `Run '${state.runId}' has no requirement '${decision.requirementId}' waiting for a decision.`,
      );
    }
  }
  for (const { view, decision } of decisions) applyOne(view, decision);
  const settled = (entry: StepRequirementState): boolean =>
    views.get(entry.id)?.isResolved === true || isExpired(entry, now);
  const decided = open.filter(settled);
  const touched = new Set(decisions.map(({ view }) => view.id));
  const partial = open.filter((entry) => touched.has(entry.id) && !settled(entry));
  if (partial.length > 0)
    throw new UnresolvedRequirementError(
      partial.flatMap((entry) => missing(views.get(entry.id) ?? new StepRequirement(entry))),
    );
  const waiting = decided.length === 0 && open.length > 0 && !mayGoOnUndecided(state);
  if (stale !== undefined && !input.fromOutput && !namedActive && (waiting || open.length === 0)) {
    const earlier = frozenStamp(state, stale);
    throw new RequirementResolvedError(
      stale,
      `it was already decided by ${describeDecider(earlier.decidedBy, earlier.decidedAt)} and the run has moved on; load it again to see what it waits for now`,
    );
  }
  if (waiting) throw new UnresolvedRequirementError([...views.values()].flatMap(missing));
  return decided;
}

/** Who decided the frozen requirement (or tool call of an executor pause) with this id, and when. */
function frozenStamp(state: WorkflowRunState, id: string): { decidedBy: DecidedBy | null; decidedAt: string | null } {
  for (const entry of state.stepRequirements) {
    if (entry.id === id) return entry;
    const call = entry.kind === "executor" ? entry.calls.find((item) => item.requirement.id === id) : undefined;
    if (call !== undefined) return call.requirement;
  }
  return { decidedBy: null, decidedAt: null };
}

/** True when the requirement has a deadline and it has passed. */
export function isExpired(requirement: StepRequirementState, now: number = Date.now()): boolean {
  return "timeout" in requirement && requirement.timeout !== null && now >= requirement.timeout.at;
}

/** Lets `onTimeout` decide an expired requirement in place of a person. */
export function applyTimeout(requirement: StepRequirementState): void {
  if ("timeout" in requirement) requirement.decision = { type: "timeout" };
}

/** Marks the active requirement consumed: it and its tool requirements can never change again. */
export function freeze(requirement: StepRequirementState): void {
  requirement.frozen = true;
  if (requirement.kind === "executor") for (const entry of requirement.calls) entry.requirement.frozen = true;
}
