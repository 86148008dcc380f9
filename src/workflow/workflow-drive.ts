import type { RunOutput, TreeTake } from "../agent/index.js";
import type { Db, DecisionRecord } from "../db/index.js";
import { ClaimLostError, KernError, StoreError } from "../errors.js";
import {
  type AnyGatePolicy,
  type Claim,
  chainListeners,
  RunEventLog,
  runFailure,
  type StepRequirementState,
  type WorkflowRunState,
  WriteBatch,
} from "../runs/index.js";
import { recordDecisions, stampPause, startSpan } from "../telemetry/index.js";
import { autoDecide } from "./auto-decide.js";
import type { Component } from "./components/component.js";
import type { EngineContext } from "./engine/context.js";
import { driveWorkflow } from "./engine/drive.js";
import { execute } from "./engine/execute.js";
import { continuedRequirements, openRequirements, resolvedAtCursor } from "./engine/open-requirements.js";
import { pauseEvent, runRef, type WorkflowEventListener } from "./events.js";
import { WorkflowRunOutput } from "./workflow-run-output.js";

/** One drive of a claimed workflow run: where it resumes and what the caller asked for. */
export interface WorkflowDrive {
  claim: Claim<WorkflowRunState>;
  db: Db;
  steps: readonly Component[];
  /** The decided requirement the resume hands to the component it stopped in, or null. */
  resolved: StepRequirementState | null;
  started: boolean;
  retrying: boolean;
  /** The audit entries of the decisions this continue applied: each gets its "awaiting human" span. */
  decided: readonly DecisionRecord[];
  /** Step agents' runs claimed with the workflow run (tree-claim.ts), by run id. */
  agentClaims?: Map<string, TreeTake>;
  signal: AbortSignal | undefined;
  emit: WorkflowEventListener | undefined;
  stream: boolean;
  allowDefinitionChange: boolean;
  /** The clock of gate deadlines (WorkflowOptions.now). */
  now: () => number;
  /** The workflow's default gate policy, if any. */
  policy: AnyGatePolicy | undefined;
  /** True when some component has a policy of its own. */
  componentPolicies: boolean;
  /** Store the run's events (the workflow's `storeEvents`). */
  storeEvents: boolean;
  /** One RunOutput per agent run of the workflow run: those touched in this drive, the rest loaded. */
  executorRuns(state: WorkflowRunState, touched: ReadonlyMap<string, RunOutput>): Promise<RunOutput[]>;
}

/** The audit entry of a policy's decision on the gate the drive just paused at, or null. */
function pausedOnPolicy(drive: WorkflowDrive, state: WorkflowRunState): Promise<DecisionRecord | null> | null {
  if (state.status !== "paused" || (drive.policy === undefined && !drive.componentPolicies)) return null;
  return autoDecide(drive.steps, state, drive.policy, drive.now());
}

/** When a step gate, or a tool call of an executor pause, paused its run. */
function pausedOf(
  state: WorkflowRunState,
  requirementId: string,
): { pausedAt: number | null; trace: string | null } | undefined {
  for (const requirement of state.stepRequirements) {
    if (requirement.id === requirementId) return requirement;
    if (requirement.kind !== "executor") continue;
    const call = requirement.calls.find((entry) => entry.requirement.id === requirementId);
    if (call !== undefined) return call.requirement;
  }
  return undefined;
}

/** The first events of a drive: the run started, or the paused steps continue (one per decided Parallel branch). */
function emitStart(emit: WorkflowEventListener, state: WorkflowRunState, drive: WorkflowDrive): void {
  if (drive.started) {
    emit({ event: "WorkflowStarted", ...runRef(state), input: state.input });
    return;
  }
  for (const resolved of continuedRequirements(state)) {
    const step = {
      ...runRef(state),
      stepName: resolved.stepName,
      stepType: resolved.stepType,
      stepPath: resolved.stepPath,
      requirementId: resolved.id,
    };
    emit(
      resolved.kind === "executor"
        ? { event: "StepExecutorContinued", ...step, executorRunId: resolved.executor.runId }
        : { event: "StepContinued", ...step },
    );
  }
}

/**
 * The last events of a drive, sent once the run is stored: a pause (one event per open
 * requirement, the newest last), the end, or a cancellation.
 */
function emitEnd(emit: WorkflowEventListener, state: WorkflowRunState): void {
  if (state.status === "paused") {
    const open = openRequirements(state);
    const shown = open.length > 0 ? open : state.stepRequirements.slice(-1);
    for (const requirement of shown) emit(pauseEvent(state, requirement));
    if (shown.length > 0) return;
  }
  if (state.status === "cancelled")
    emit({ event: "WorkflowCancelled", ...runRef(state), reason: state.cancelReason ?? "cancelled" });
  else emit({ event: "WorkflowCompleted", ...runRef(state), content: state.content });
}

/**
 * Runs the engine on a claimed run and stores the outcome with the step agents' held saves, in
 * one transaction. A failure of the store or the claim ends the drive writing nothing more: the
 * run stays as last stored (claimed, with a lease that lapses), for recover().
 */
export async function driveClaimedWorkflow(drive: WorkflowDrive): Promise<WorkflowRunOutput> {
  const log = drive.storeEvents ? new RunEventLog(drive.db, "workflow", drive.claim.state.runId) : null;
  try {
    return await driveOnce(log === null ? drive : { ...drive, emit: chainListeners(log.push, drive.emit) });
  } finally {
    // However the drive ended, this process renews the lease no more (a no-op once released).
    drive.claim.abandon();
    await log?.settle();
  }
}

async function driveOnce(drive: WorkflowDrive): Promise<WorkflowRunOutput> {
  const { claim, emit } = drive;
  const { state } = claim;
  const executorRuns = new Map<string, RunOutput>();
  const batch = new WriteBatch(drive.db);
  const signals = drive.signal === undefined ? [claim.signal] : [drive.signal, claim.signal];
  const span = startSpan(
    `invoke_workflow ${state.workflowName}`,
    {
      "gen_ai.operation.name": "invoke_workflow",
      "kern.workflow.id": state.workflowId,
      "kern.run.id": state.runId,
      "kern.session.id": state.sessionId,
      "kern.run.leg": drive.started ? "start" : drive.retrying ? "retry" : "continue",
    },
    null,
  );
  recordDecisions(drive.decided, (id) => pausedOf(state, id), span);
  const stack: EngineContext["stack"] = [];
  const context: EngineContext = {
    state,
    input: state.input,
    claim,
    steps: drive.steps,
    stack,
    root: stack,
    recordBranch: null,
    retrying: drive.retrying,
    allowDefinitionChange: drive.allowDefinitionChange,
    now: drive.now,
    db: drive.db,
    signal: signals.length === 1 ? claim.signal : AbortSignal.any(signals),
    outputs: new Map(),
    resolved: drive.resolved,
    executorRuns,
    emit,
    stream: drive.stream,
    batch,
    agentClaims: drive.agentClaims ?? new Map(),
    execute,
    span,
    policy: drive.policy,
  };
  if (emit !== undefined) emitStart(emit, state, drive);
  try {
    await span.run(() => driveWorkflow(drive.steps, context));
    // A gate its policy decides goes on at once, in this drive, its decision stored with the next write.
    for (let entry = await pausedOnPolicy(drive, state); entry !== null; entry = await pausedOnPolicy(drive, state)) {
      claim.appendDecisions([entry]);
      context.stack.length = 0;
      context.outputs.clear();
      context.resolved = resolvedAtCursor(state);
      await span.run(() => driveWorkflow(drive.steps, context));
    }
    if (state.status === "paused") stampPause(state.stepRequirements, Date.now(), span);
  } catch (error) {
    span.end(error);
    if (error instanceof StoreError || error instanceof ClaimLostError || claim.signal.aborted) {
      claim.abandon();
      throw claim.lostError ?? error;
    }
    const failure = runFailure(error);
    state.status = failure.status;
    state.error = failure.error;
    // The cursor of the failure stays: retryRun() resumes there.
    state.cursor =
      failure.status === "error"
        ? context.stack.map((frame, index) => (index === 0 ? { ...frame, outputs: [] } : frame))
        : null;
    await claim.release(batch);
    emit?.({ event: "WorkflowError", ...runRef(state), error: failure.error });
    if (error instanceof KernError && "runOutput" in error)
      error.runOutput = new WorkflowRunOutput(state, await drive.executorRuns(state, executorRuns));
    throw error;
  }
  await claim.release(batch);
  span.set({
    "kern.run.status": state.status,
    "gen_ai.usage.input_tokens": state.usage.inputTokens,
    "gen_ai.usage.output_tokens": state.usage.outputTokens,
  });
  span.end();
  if (emit !== undefined) emitEnd(emit, state);
  return new WorkflowRunOutput(state, await drive.executorRuns(state, executorRuns));
}
