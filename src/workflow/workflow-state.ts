import type { RunOutput } from "../agent/index.js";
import type { Db } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import {
  type Claim,
  checkInputText,
  checkJsonData,
  checkOptionalId,
  freshDefaults,
  newId,
  parentClaim,
  type RunEventLog,
  WORKFLOW_RUN_DEFAULTS,
  WORKFLOW_RUN_SCHEMA_VERSION,
  type WorkflowRunState,
} from "../runs/index.js";
import type { Component } from "./components/component.js";
import { findAgent } from "./components/walk.js";
import { freeze } from "./continue-input.js";
import { endsInBranches, openRequirements } from "./engine/open-requirements.js";
import { runRef, type WorkflowEvent } from "./events.js";
import type { WorkflowRunOptions } from "./workflow-options.js";
import { WorkflowRunOutput } from "./workflow-run-output.js";

/** What a new run records of its workflow. */
interface RunOwner {
  id: string;
  name: string;
  fingerprint: string;
  db: Db;
}

/**
 * The first state of a run of `workflow`, from run()'s input and options, checked: bad input
 * throws before anything is stored.
 */
export async function newWorkflowRunState(
  workflow: RunOwner,
  input: string,
  options: WorkflowRunOptions,
  now: number,
): Promise<WorkflowRunState> {
  checkInputText("workflow.run(input)", input);
  const runId = checkOptionalId("runId", options.runId);
  const additionalData =
    options.additionalData === undefined ? null : checkJsonData("additionalData", options.additionalData);
  if (runId !== undefined && (await workflow.db.getRun("workflow", runId)) !== null) {
    throw new ConfigurationError(`A run with id '${runId}' already exists; pass a new runId or none.`);
  }
  // The defaults first, then the rest: the key order (and so the stored JSON) of every new run.
  return Object.assign(freshDefaults(WORKFLOW_RUN_DEFAULTS), {
    schemaVersion: WORKFLOW_RUN_SCHEMA_VERSION,
    kind: "workflow",
    runId: runId ?? newId(),
    sessionId: checkOptionalId("sessionId", options.sessionId) ?? newId(),
    userId: checkOptionalId("userId", options.userId) ?? null,
    workflowId: workflow.id,
    workflowName: workflow.name,
    fingerprint: workflow.fingerprint,
    status: "running",
    input,
    additionalData,
    createdAt: now,
    updatedAt: now,
  });
}

/** One RunOutput per agent run of the workflow run: those just touched, the rest loaded. */
export async function loadExecutorRuns(
  steps: readonly Component[],
  db: Db,
  state: WorkflowRunState,
  touched: ReadonlyMap<string, RunOutput>,
): Promise<RunOutput[]> {
  const runs: RunOutput[] = [];
  for (const entry of state.executorRuns) {
    const known = touched.get(entry.runId);
    if (known !== undefined) {
      runs.push(known);
      continue;
    }
    const agent = findAgent(steps, entry.agentId);
    if (agent === undefined) continue;
    runs.push(await agent.getRunOutput(entry.runId, state.sessionId, { db: agent.ownDb ?? db }));
  }
  return runs;
}

/**
 * Ends a paused run as `cancelled` (claiming it first), closing its paused agent run too; with a
 * `log`, stores the WorkflowCancelled event a reader of the run's events waits for.
 */
export async function cancelWorkflowRun(
  steps: readonly Component[],
  db: Db,
  claim: Claim<WorkflowRunState>,
  reason: string,
  log: RunEventLog | null,
): Promise<WorkflowRunOutput> {
  const { state } = claim;
  // Every open requirement: one per paused Parallel branch, else the last entry.
  const closing = endsInBranches(state.cursor) ? openRequirements(state) : state.stepRequirements.slice(-1);
  for (const active of closing) {
    freeze(active);
    if (active.kind === "executor") await cancelStepAgent(steps, db, active.executor, state);
  }
  state.status = "cancelled";
  state.cancelReason = reason;
  state.cursor = null;
  await claim.release();
  const cancelled: WorkflowEvent = { event: "WorkflowCancelled", ...runRef(state), reason };
  log?.push(cancelled);
  await log?.settle();
  return new WorkflowRunOutput(state);
}

/** Closes the paused agent run of a step whose workflow run is cancelled (best effort: the workflow run is cancelled regardless). */
export async function cancelStepAgent(
  steps: readonly Component[],
  db: Db,
  executor: { id: string; runId: string },
  run: { runId: string; sessionId: string },
): Promise<void> {
  const agent = findAgent(steps, executor.id);
  await agent
    ?.cancelRun(executor.runId, run.sessionId, { db: agent.ownDb ?? db, [parentClaim]: run.runId })
    .catch(() => undefined);
}
