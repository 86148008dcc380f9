import { newId } from "../runs/new-id.js";
import { Agent, type RecoveredRun, type RunOutput } from "../agent/index.js";
import { recoverWorkflowRuns } from "./recover.js";
import type { Db, RunSummary } from "../db/db.js";
import { defaultMemoryDb } from "../db/memory/default-db.js";
import { ConfigurationError, KernError, RunNotPausedError, StoreError } from "../errors.js";
import { WriteBatch } from "../runs/write-batch.js";
import { chainListeners, claimRun, loadRun, runFailure, saveRun, type LoadedRun, type RunStatus, type StepRequirementState, type WorkflowRunState } from "../runs/index.js";
import type { Component } from "./components/component.js";
import { checkOptions, requireName } from "./components/options.js";
import { Step } from "./components/step.js";
import { findAgent } from "./components/walk.js";
import { applyStepDecisions, applyTimeout, freeze, isExpired, readWorkflowContinueInput, type ContinueWorkflowRef } from "./continue-input.js";
import type { EngineContext } from "./engine/context.js";
import { driveWorkflow } from "./engine/drive.js";
import { workflowRunAccess } from "./workflow-run-access.js";
import { RunStream } from "../runs/event-stream.js";
import { pauseEvent, runRef, type WorkflowEvent, type WorkflowEventListener } from "./events.js";
import { WorkflowRunOutput } from "./workflow-run-output.js";

export interface WorkflowOptions {
  name: string;
  id?: string;
  description?: string;
  /** Where runs are stored. Without one, runs live in this process's memory only. */
  db?: Db;
  /** The components to run in order; an Agent is wrapped in a Step named after it. */
  steps: Array<Component | Agent>;
}

export interface WorkflowRunOptions {
  sessionId?: string;
  userId?: string;
  runId?: string;
  additionalData?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Called with each event as it happens (runStream() uses this). */
  onEvent?: WorkflowEventListener;
  /** Ask agents to use their model's streaming API (RunContent events). */
  stream?: boolean;
}

export type WorkflowContinueOptions = Pick<WorkflowRunOptions, "signal" | "onEvent" | "stream">;

/** What runStream() and continueRunStream() return: the events, and `.output` (the stored run). */
export type WorkflowRunStream = RunStream<WorkflowEvent, WorkflowRunOutput>;

const WORKFLOW_OPTIONS = ["name", "id", "description", "db", "steps"] as const;

/**
 * A workflow of steps any of which a human can gate, before or after it runs and on any tool
 * call its agent makes. Paused runs are stored and continued by any process with `continueRun`.
 *
 * @example
 * let run = await workflow.run("Send a weather alert for Tokyo about heavy rain");
 * while (run.isPaused) {
 *   const active = run.stepRequirements.at(-1);
 *   if (active?.requiresExecutorInput) for (const call of active.executorRequirements) call.confirm();
 *   else active?.confirm();
 *   run = await workflow.continueRun(run);
 * }
 */
export class Workflow {
  readonly name: string;
  readonly id: string;
  readonly description: string | undefined;
  readonly steps: readonly Component[];
  readonly #db: Db | undefined;

  constructor(options: WorkflowOptions) {
    checkOptions("Workflow", options, WORKFLOW_OPTIONS);
    this.name = requireName("Workflow", options.name);
    if (!Array.isArray(options.steps) || options.steps.length === 0) {
      throw new ConfigurationError(`Workflow '${this.name}' needs a non-empty steps array.`);
    }
    this.id = options.id ?? options.name;
    this.description = options.description;
    this.#db = options.db;
    this.steps = options.steps.map((step) => (step instanceof Agent ? new Step({ name: step.name, agent: step }) : step));
  }

  get db(): Db {
    return this.#db ?? defaultMemoryDb();
  }

  /** Starts a run; resolves when it completes, pauses at a gate, or is cancelled. */
  async run(input: string, options: WorkflowRunOptions = {}): Promise<WorkflowRunOutput> {
    if (typeof input !== "string") throw new ConfigurationError(`workflow.run(input) takes a string, got ${typeof input}.`);
    if (options.runId !== undefined && (await this.db.getRun("workflow", options.runId)) !== null) {
      throw new ConfigurationError(`A run with id '${options.runId}' already exists; pass a new runId or none.`);
    }
    const now = Date.now();
    const state: WorkflowRunState = {
      schemaVersion: 1,
      kind: "workflow",
      runId: options.runId ?? newId(),
      sessionId: options.sessionId ?? newId(),
      userId: options.userId ?? null,
      workflowId: this.id,
      workflowName: this.name,
      status: "running",
      input,
      additionalData: options.additionalData ?? null,
      content: null,
      stepResults: [],
      stepRequirements: [],
      cursor: null,
      executorRuns: [],
      cancelReason: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    return this.#drive({ state, revision: 0 }, options);
  }

  /**
   * Like run(), as a stream of typed events. A pause ends the stream on its pause event (which
   * carries the question: message, input schema, choices, tool calls); `.output` resolves to the
   * stored run.
   */
  runStream(input: string, options: WorkflowRunOptions = {}): WorkflowRunStream {
    return new RunStream((emit) => this.run(input, { stream: true, ...options, onEvent: chainListeners(emit, options.onEvent) }));
  }

  /** Like continueRun(), as a stream of typed events; `.output` resolves to the stored run. */
  continueRunStream(run: WorkflowRunOutput | ContinueWorkflowRef, options: WorkflowContinueOptions = {}): WorkflowRunStream {
    return new RunStream((emit) => this.continueRun(run, { stream: true, ...options, onEvent: chainListeners(emit, options.onEvent) }));
  }

  /**
   * Continues a paused run: applies the decision on its active requirement, claims the stored
   * run atomically, and runs from the exact place it paused until the next gate or the end.
   */
  async continueRun(run: WorkflowRunOutput | ContinueWorkflowRef, options: WorkflowContinueOptions = {}): Promise<WorkflowRunOutput> {
    return this.#continue(run, options, Date.now());
  }

  /** `now` decides whether the active gate's deadline has passed (the sweep passes its own). */
  async #continue(run: WorkflowRunOutput | ContinueWorkflowRef, options: WorkflowContinueOptions, now: number): Promise<WorkflowRunOutput> {
    const { runId, sessionId, supplied } = readWorkflowContinueInput(run);
    const loaded = await this.#load(runId, sessionId);
    if (loaded.state.status !== "paused") throw new RunNotPausedError(runId, loaded.state.status);
    const active = applyStepDecisions(loaded.state, supplied, now);
    if (isExpired(active, now)) applyTimeout(active);
    const claimed = await claimRun(this.db, workflowRunAccess, loaded);
    freeze(active);
    return this.#drive(claimed, options, active);
  }

  /** Loads a stored run; never changes anything. */
  async getRunOutput(runId: string, sessionId: string): Promise<WorkflowRunOutput> {
    const { state } = await this.#load(runId, sessionId);
    return new WorkflowRunOutput(state, await this.#executorRuns(state, new Map()));
  }

  /** Lists this workflow's stored runs (newest first), without loading their state. */
  async listRuns(filter: { status?: RunStatus; sessionId?: string; limit?: number; offset?: number } = {}): Promise<RunSummary[]> {
    return this.db.listRuns({ ...filter, kind: "workflow", ownerId: this.id });
  }

  /** Ends a paused run as `cancelled`, closing its paused agent run too. Finished runs are returned as they are. */
  async cancelRun(runId: string, sessionId: string, reason = "Cancelled by the user."): Promise<WorkflowRunOutput> {
    const loaded = await this.#load(runId, sessionId);
    if (loaded.state.status !== "paused") return new WorkflowRunOutput(loaded.state);
    const claimed = await claimRun(this.db, workflowRunAccess, loaded);
    const { state } = claimed;
    const active = state.stepRequirements.at(-1);
    if (active !== undefined) freeze(active);
    if (active?.kind === "executor" && active.executorRunId !== null && active.executorId !== null) {
      const agent = findAgent(this.steps, active.executorId);
      await agent?.cancelRun(active.executorRunId, state.sessionId, { db: agent.ownDb ?? this.db });
    }
    state.status = "cancelled";
    state.cancelReason = reason;
    state.cursor = null;
    await saveRun(this.db, workflowRunAccess, state, claimed.revision);
    return new WorkflowRunOutput(state);
  }

  /**
   * Applies `onTimeout` to every paused run of this workflow whose active gate is past its
   * deadline, continuing each. Returns how many runs it moved on.
   */
  async expirePausedRuns(now: number = Date.now()): Promise<number> {
    let moved = 0;
    for (const summary of await this.#allPausedRuns()) {
      // Reads only the run itself (not its agents' runs): most paused runs are not expired.
      const { state } = await this.#load(summary.runId, summary.sessionId);
      const active = state.stepRequirements.at(-1);
      if (active === undefined || active.timeoutAt === null || now < active.timeoutAt) continue;
      try {
        await this.#continue({ runId: state.runId, sessionId: state.sessionId }, {}, now);
        moved += 1;
      } catch (error) {
        if (!(error instanceof KernError) || error.code !== "KERN_RUN_ALREADY_CLAIMED") throw error;
      }
    }
    return moved;
  }

  /**
   * Makes runs whose process died while holding their claim continuable again, once the claim
   * expired (`now` defaults to the current time): first its agents' runs (an approved tool call
   * with no stored result becomes a requirement to retry or skip it), then its own runs.
   */
  async recover(options: { now?: number } = {}): Promise<{ workflowRuns: string[]; agentRuns: RecoveredRun[] }> {
    return recoverWorkflowRuns(this.id, this.steps, this.db, options.now ?? Date.now());
  }

  /** Every paused run of this workflow, collected page by page before any of them changes. */
  async #allPausedRuns(): Promise<RunSummary[]> {
    const runs: RunSummary[] = [];
    const limit = 500;
    for (let offset = 0; ; offset += limit) {
      const page = await this.listRuns({ status: "paused", limit, offset });
      runs.push(...page);
      if (page.length < limit) return runs;
    }
  }

  async #load(runId: string, sessionId: string): Promise<LoadedRun<WorkflowRunState>> {
    const loaded = await loadRun(this.db, workflowRunAccess, runId, sessionId);
    if (loaded.state.workflowId !== this.id) {
      throw new ConfigurationError(`Run '${runId}' belongs to workflow '${loaded.state.workflowId}', not '${this.id}'; continue it with that workflow.`);
    }
    return loaded;
  }

  /** Runs the engine and stores the outcome; revision 0 means the run is not stored yet. */
  async #drive(loaded: LoadedRun<WorkflowRunState>, options: WorkflowContinueOptions, resolved: StepRequirementState | null = null): Promise<WorkflowRunOutput> {
    const { state } = loaded;
    const emit = options.onEvent;
    const previous = loaded.revision === 0 ? null : loaded.revision;
    const executorRuns = new Map<string, RunOutput>();
    const batch = new WriteBatch(this.db);
    const context: EngineContext = { state, db: this.db, signal: options.signal, outputs: new Map(), resolved, executorRuns, emit, stream: options.stream === true, batch };
    if (emit !== undefined) emitStart(emit, state, resolved);
    try {
      await driveWorkflow(this.steps, context);
    } catch (error) {
      // The store failing leaves the run as last stored (claimed, with a lease), for recover().
      if (error instanceof StoreError) throw error;
      const failure = runFailure(error);
      state.status = failure.status;
      state.cursor = null;
      state.error = failure.error;
      await saveRun(this.db, workflowRunAccess, state, previous, batch);
      emit?.({ event: "WorkflowError", ...runRef(state), error: state.error });
      if (error instanceof KernError && "runOutput" in error) error.runOutput = new WorkflowRunOutput(state, await this.#executorRuns(state, executorRuns));
      throw error;
    }
    // One transaction with the step agent's held save: the pause (or the end) is stored whole.
    await saveRun(this.db, workflowRunAccess, state, previous, batch);
    if (emit !== undefined) emitEnd(emit, state);
    return new WorkflowRunOutput(state, await this.#executorRuns(state, executorRuns));
  }

  /** One RunOutput per agent run of the workflow run: those just touched, the rest loaded. */
  async #executorRuns(state: WorkflowRunState, touched: ReadonlyMap<string, RunOutput>): Promise<RunOutput[]> {
    const runs: RunOutput[] = [];
    for (const entry of state.executorRuns) {
      const known = touched.get(entry.runId);
      if (known !== undefined) {
        runs.push(known);
        continue;
      }
      const agent = findAgent(this.steps, entry.agentId);
      if (agent === undefined) continue;
      runs.push(await agent.getRunOutput(entry.runId, state.sessionId, { db: agent.ownDb ?? this.db }));
    }
    return runs;
  }
}

/** The first event of a drive: the run started, or the paused step continues. */
function emitStart(emit: WorkflowEventListener, state: WorkflowRunState, resolved: StepRequirementState | null): void {
  if (resolved === null) {
    emit({ event: "WorkflowStarted", ...runRef(state), input: state.input });
    return;
  }
  const step = { ...runRef(state), stepName: resolved.stepName, stepType: resolved.stepType, stepPath: resolved.stepPath, requirementId: resolved.id };
  emit(resolved.kind === "executor" ? { event: "StepExecutorContinued", ...step, executorRunId: resolved.executorRunId } : { event: "StepContinued", ...step });
}

/** The last event of a drive, sent once the run is stored: a pause, the end, or a cancellation. */
function emitEnd(emit: WorkflowEventListener, state: WorkflowRunState): void {
  const active = state.stepRequirements.at(-1);
  if (state.status === "paused" && active !== undefined) emit(pauseEvent(state, active));
  else if (state.status === "cancelled") emit({ event: "WorkflowCancelled", ...runRef(state), reason: state.cancelReason ?? "cancelled" });
  else emit({ event: "WorkflowCompleted", ...runRef(state), content: state.content });
}
