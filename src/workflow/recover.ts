import type { Agent, RecoveredRun } from "../agent/index.js";
import type { Db } from "../db/index.js";
import {
  compareAndSave,
  expiredRuns,
  type Frame,
  newId,
  type SkippedRun,
  type StepRequirementState,
  visitEach,
  type WorkflowRunState,
} from "../runs/index.js";
import { NO_SPAN, stampPause } from "../telemetry/index.js";
import type { Component } from "./components/component.js";
import type { Step } from "./components/step.js";
import { walk } from "./components/walk.js";
import { freeze } from "./continue-input.js";
import { executorRequirementsOf } from "./engine/executor-requirements.js";
import { type Located, type LocatedFrames, locateTree, namePath } from "./engine/locate.js";
import { endsInBranches, mayGoOnUndecided } from "./engine/open-requirements.js";
import { errorRequirement, executorRequirement } from "./engine/requirements.js";
import { workflowRunAccess } from "./workflow-run-access.js";

/** A workflow run that recover() made continuable again. */
export interface RecoveredWorkflowRun {
  runId: string;
  sessionId: string;
  /** Steps (by name) that may or may not have run; each now waits for a person to retry or skip it. */
  uncertainSteps: string[];
  /** True when a person must decide before it goes on; false: continueRun() resumes it at its last checkpoint. */
  needsDecision: boolean;
}

/** What workflow.recover() did. */
export interface WorkflowRecovery {
  workflowRuns: RecoveredWorkflowRun[];
  agentRuns: RecoveredRun[];
  /** Rows recovery could not read or handle (corrupt, written by a newer kern), left as they are. */
  skipped: SkippedRun[];
}

/** The definition a run was stored under (the live one or a previous version), by fingerprint. */
export type StepsFor = (state: WorkflowRunState) => readonly Component[];

/** A new, undecided copy of a requirement, so a person decides again (rows stored before checkpoints). */
function reopened(requirement: StepRequirementState): StepRequirementState {
  const copy = { ...structuredClone(requirement), id: newId(), frozen: false };
  if ("decision" in copy) copy.decision = null;
  if (copy.kind === "executor")
    for (const call of copy.calls) Object.assign(call.requirement, { decision: null, frozen: false });
  return copy;
}

/** Asks a person whether to run again a step (or Parallel) that started and has no stored result. */
function uncertain(
  state: WorkflowRunState,
  steps: readonly Component[],
  frame: Frame,
  { component, path }: Located,
): StepRequirementState {
  frame.phase = "error";
  const message = `The process running ${component.stepType} '${component.name}' stopped before its result was stored: it may or may not have run (in part). retry() runs it again; skip() goes on without it.`;
  const requirement = { ...errorRequirement(component, path, message, true), path: namePath(steps, path) };
  state.stepRequirements.push(requirement);
  return requirement;
}

/**
 * The decisions still wanted by a step's agent run, or [] when it can go on without a person;
 * null while the agent run is still `running` (its own lease has not lapsed yet, though the
 * workflow's has): the workflow run is left for a later recovery, once both can be taken over.
 */
/** A step agent's run is still `running` (its own lease has not lapsed): recover the workflow run later. */
const WAIT = Symbol("wait for the step agent's run");

async function agentQuestions(
  step: Step,
  runId: string,
  state: WorkflowRunState,
  db: Db,
): Promise<ReturnType<typeof executorRequirementsOf> | null> {
  const agent = step.agent;
  if (agent === undefined) return [];
  const agentDb = agent.ownDb ?? db;
  const record = await agentDb.getRun("agent", runId);
  if (record === null) return [];
  if (record.status === "running") return null;
  const run = await agent.getRunOutput(runId, state.sessionId, { db: agentDb });
  return run.isPaused ? executorRequirementsOf(run) : [];
}

/**
 * Pauses the workflow on its step agent's open questions (returning the new requirement), or
 * leaves it resumable when there are none (null).
 */
async function askAgentQuestions(
  state: WorkflowRunState,
  steps: readonly Component[],
  frame: Frame,
  located: Located,
  runId: string,
  db: Db,
  decided: StepRequirementState | null,
): Promise<StepRequirementState | null | typeof WAIT> {
  const step = located.component as Step;
  const questions = await agentQuestions(step, runId, state, db);
  if (questions === null) return WAIT;
  // Decisions a claim stored for these very calls still stand: the resume hands them over.
  const calls = decided?.kind === "executor" ? decided.calls : [];
  const decidedIds = new Set(
    calls.filter((entry) => entry.requirement.decision !== null).map((entry) => entry.requirement.id),
  );
  if (questions.length === 0 || questions.every((entry) => decidedIds.has(entry.requirement.id))) return null;
  frame.phase = "executor";
  const executor = { id: step.agent?.id ?? "", name: step.agent?.name ?? "", runId };
  const requirement = {
    ...executorRequirement(step, located.path, executor, questions),
    path: namePath(steps, located.path),
  };
  state.stepRequirements.push(requirement);
  return requirement;
}

/**
 * Reopens one run of frames at its last checkpoint: the run's own, or one Parallel branch's.
 * `decided` is the requirement its innermost component paused on (decided, or null). Returns the
 * requirement it now waits on (null: it can go on as it is) and whether that is an uncertain step.
 */
async function reopenFrames(
  state: WorkflowRunState,
  steps: readonly Component[],
  { frames, located }: LocatedFrames,
  db: Db,
  decided: StepRequirementState | null,
): Promise<{ asked: StepRequirementState | null; uncertain: boolean } | typeof WAIT> {
  const innermost = frames.at(-1);
  const here = located.at(-1);
  if (innermost === undefined || here === undefined) return { asked: null, uncertain: false };
  const { component } = here;
  if (innermost.phase === "executor" && component.stepType === "Step" && decided?.kind === "executor") {
    const asked = await askAgentQuestions(state, steps, innermost, here, decided.executor.runId, db, decided);
    return asked === WAIT ? WAIT : { asked, uncertain: false };
  }
  if (innermost.phase !== "execute") return { asked: null, uncertain: false };
  if (
    component.stepType === "Step" &&
    component.agent !== undefined &&
    innermost.stepType === "Step" &&
    innermost.runId !== null
  ) {
    const asked = await askAgentQuestions(state, steps, innermost, here, innermost.runId, db, null);
    return asked === WAIT ? WAIT : { asked, uncertain: false };
  }
  if ((component.stepType === "Step" && !component.idempotent) || component.stepType === "Parallel")
    return { asked: uncertain(state, steps, innermost, here), uncertain: true };
  return { asked: null, uncertain: false };
}

/**
 * Turns a run whose holder died into a paused run at its last checkpoint. What started and has
 * no stored result comes back to a person; a decision stored with the claim stands; anything
 * else resumes with continueRun() and nothing to decide. Inside a Parallel, each branch is
 * reopened at its own last checkpoint, and a branch that must ask waits at its new requirement.
 * Returns the uncertain steps' names, or null when the run must wait for a step agent's run to be
 * recoverable too.
 */
async function reopen(state: WorkflowRunState, steps: readonly Component[], db: Db): Promise<string[] | null> {
  state.status = "paused";
  const tree = state.cursor === null ? null : locateTree(steps, state.cursor);
  if (tree === null) return [];
  const last = state.stepRequirements.at(-1) ?? null;
  if (!endsInBranches(state.cursor)) {
    if (last !== null && !last.frozen) {
      // Stored by a kern that froze decisions only after the claim: ask again, as it did.
      freeze(last);
      state.stepRequirements.push(reopened(last));
      return [];
    }
    const [only] = tree;
    const reopenedRun = only === undefined ? null : await reopenFrames(state, steps, only, db, last);
    if (reopenedRun === WAIT) return null;
    return reopenedRun?.uncertain === true ? [reopenedRun.asked?.stepName ?? ""] : [];
  }
  const uncertainSteps: string[] = [];
  for (const leaf of tree) {
    const branch = leaf.branch;
    const paused = state.stepRequirements.find((entry) => entry.id === branch?.requirementId) ?? null;
    // A branch still waiting for a person has nothing to recover.
    if (branch === null || (branch.status === "paused" && paused?.frozen !== true)) continue;
    const reopenedBranch = await reopenFrames(state, steps, leaf, db, paused);
    if (reopenedBranch === WAIT) return null;
    const { asked, uncertain } = reopenedBranch;
    if (asked === null) continue;
    branch.status = "paused";
    branch.requirementId = asked.id;
    if (uncertain) uncertainSteps.push(asked.stepName);
  }
  return uncertainSteps;
}

/** Recovers the workflow's agents' runs, then its own runs whose claim expired. */
export async function recoverWorkflowRuns(
  workflowId: string,
  steps: readonly Component[],
  stepsFor: StepsFor,
  db: Db,
  now: number,
  handOff = false,
): Promise<WorkflowRecovery> {
  const agents = new Map<string, Agent>();
  for (const component of walk(steps)) {
    if (component.stepType === "Step" && component.agent !== undefined) agents.set(component.agent.id, component.agent);
  }
  const agentRuns: RecoveredRun[] = [];
  const skipped: SkippedRun[] = [];
  for (const agent of agents.values()) {
    const recovery = await agent.recover({ now, db: agent.ownDb ?? db });
    agentRuns.push(...recovery.agentRuns);
    skipped.push(...recovery.skipped);
  }
  const workflowRuns: RecoveredWorkflowRun[] = [];
  const expired = await expiredRuns(db, "workflow", workflowId, now);
  skipped.push(
    ...(await visitEach(db, workflowRunAccess, expired, async ({ state, revision }) => {
      if (state.status !== "running") return;
      const uncertainSteps = await reopen(state, stepsFor(state), db);
      if (uncertainSteps === null) return;
      stampPause(state.stepRequirements, Date.now(), NO_SPAN);
      // A compare-and-set on the revision: a holder that renewed its lease meanwhile keeps its run.
      const needsDecision = !mayGoOnUndecided(state);
      // With a queue, a run that needs no person waits `pending` for a worker, as a continue would leave it.
      if (handOff && !needsDecision) state.status = "pending";
      if (await compareAndSave(db, workflowRunAccess, state, revision))
        workflowRuns.push({ runId: state.runId, sessionId: state.sessionId, uncertainSteps, needsDecision });
    })),
  );
  return { workflowRuns, agentRuns, skipped };
}
