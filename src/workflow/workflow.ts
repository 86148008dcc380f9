import { Agent } from "../agent/index.js";
import type { Db, RunSummary } from "../db/index.js";
import { defaultMemoryDb } from "../db/index.js";
import { RunNotPausedError } from "../errors.js";
import {
  Claim,
  chainListeners,
  checkId,
  type DefinitionChoice,
  type EnqueuedRun,
  handOffRun,
  type LoadedRun,
  type Principal,
  processQueued,
  type QueuedRunOutcome,
  RunEventLog,
  type RunQueue,
  type RunStatus,
  RunStream,
  requireQueue,
  ringQueue,
  type SweepReport,
  servingDefinition,
  type WorkflowRunState,
} from "../runs/index.js";
import type { Component } from "./components/component.js";
import { type NestedWorkflow, WORKFLOW_BRAND } from "./components/nested-workflow.js";
import { Step } from "./components/step.js";
import { type ContinueWorkflowRef, readWorkflowContinueInput } from "./continue-input.js";
import { expireWorkflowRuns } from "./deadlines.js";
import { decideActive, mayDecideStep } from "./decide.js";
import { incompatibleRun, workflowFingerprint } from "./definition.js";
import { resolvedAtCursor } from "./engine/open-requirements.js";
import type { WorkflowEvent } from "./events.js";
import { executorGrants } from "./executor-grants.js";
import { recoverWorkflowRuns, type WorkflowRecovery } from "./recover.js";
import { claimTree } from "./tree-claim.js";
import {
  checkWorkflowOptions,
  type WorkflowContinueOptions,
  type WorkflowOptions,
  type WorkflowRunOptions,
} from "./workflow-options.js";
import { loadWorkflowRun, workflowRunAccess } from "./workflow-run-access.js";
import { WorkflowRunOutput } from "./workflow-run-output.js";
import { WorkflowRunner } from "./workflow-runner.js";
import { cancelWorkflowRun, loadExecutorRuns, newWorkflowRunState } from "./workflow-state.js";

export type { WorkflowContinueOptions, WorkflowOptions, WorkflowRunOptions } from "./workflow-options.js";

/** What runStream() and continueRunStream() return: the events, and `.output` (the stored run). */
export type WorkflowRunStream = RunStream<WorkflowEvent, WorkflowRunOutput>;

/** What expirePausedRuns() did: runs moved on, gates escalated, reminders due, rows left alone. */
export type { SweepReport } from "../runs/index.js";

/**
 * A workflow of steps any of which a human can gate, before or after it runs and on any tool
 * call its agent makes. Runs are stored from their first step, checkpointed before and after
 * every step, and continued by any process with `continueRun`.
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
export class Workflow implements NestedWorkflow {
  /** Marks a workflow, so it can be a Step's `executor`. */
  readonly [WORKFLOW_BRAND] = true as const;
  readonly name: string;
  readonly id: string;
  readonly description: string | undefined;
  readonly steps: readonly Component[];
  readonly #options: WorkflowOptions;
  readonly #runner: WorkflowRunner;
  #fingerprint: string | undefined;

  constructor(options: WorkflowOptions) {
    this.name = checkWorkflowOptions(options);
    this.id = options.id ?? options.name;
    this.description = options.description;
    this.#options = options;
    this.steps = options.steps.map((step) =>
      step instanceof Agent ? new Step({ name: step.name, agent: step }) : step,
    );
    this.#runner = new WorkflowRunner(options, this.steps);
  }

  get db(): Db {
    return this.#options.db ?? defaultMemoryDb();
  }
  /** A digest of what this workflow's runs depend on (components, order, gates, agents' tools); stored with each run. */
  get fingerprint(): string {
    this.#fingerprint ??= workflowFingerprint(this.id, this.steps);
    return this.#fingerprint;
  }
  get previousVersions(): readonly Workflow[] {
    return this.#options.previousVersions ?? [];
  }
  /** The queue enqueueRun() and enqueueContinue() ring, if any. */
  get queue(): RunQueue | undefined {
    return this.#options.queue;
  }
  /** Whether this workflow's runs store their events (the `storeEvents` option; default: when it has a queue). */
  get storesEvents(): boolean {
    return this.#runner.storesEvents;
  }

  /** Starts a run; it is stored (running, claimed) before its first step. Resolves when it completes, pauses or is cancelled. */
  async run(input: string, options: WorkflowRunOptions = {}): Promise<WorkflowRunOutput> {
    const state = await newWorkflowRunState(this, input, options, this.#runner.now());
    const claim = await Claim.insert(this.db, workflowRunAccess, state, this.#runner.leaseMs);
    return this.#runner.drive(claim, options, { resolved: null, started: true, retrying: false });
  }

  /** Like run(), but stores the run `pending` and rings the workflow's `queue`: a worker runs it. Returns at once. */
  async enqueueRun(
    input: string,
    options: Omit<WorkflowRunOptions, "onEvent" | "signal" | "stream"> = {},
  ): Promise<EnqueuedRun> {
    const queue = requireQueue(this.queue, "workflow", "enqueueRun");
    const state = await newWorkflowRunState(this, input, options, this.#runner.now());
    await handOffRun(this.db, workflowRunAccess, state, null);
    return ringQueue(queue, { kind: "workflow", ownerId: this.id }, state);
  }

  /**
   * Like run(), as a stream of typed events. A pause ends the stream on its pause event (which
   * carries the question: message, input schema, choices, tool calls); `.output` resolves to the
   * stored run.
   */
  runStream(input: string, options: WorkflowRunOptions = {}): WorkflowRunStream {
    return new RunStream((emit) =>
      this.run(input, { stream: true, ...options, onEvent: chainListeners(emit, options.onEvent) }),
    );
  }

  /** Like continueRun(), as a stream of typed events; `.output` resolves to the stored run. */
  continueRunStream(
    run: WorkflowRunOutput | ContinueWorkflowRef,
    options: WorkflowContinueOptions = {},
  ): WorkflowRunStream {
    return new RunStream((emit) =>
      this.continueRun(run, { stream: true, ...options, onEvent: chainListeners(emit, options.onEvent) }),
    );
  }

  /**
   * Continues a paused run: applies the decisions on its active requirements, claims the stored
   * run atomically, and runs from the exact place it paused until the next gate or the end. A run
   * paused in Parallel branches runs on the branches decided and leaves the others paused. A run
   * recover() paused at a checkpoint with nothing to decide continues with no decisions.
   */
  async continueRun(
    run: WorkflowRunOutput | ContinueWorkflowRef,
    options: WorkflowContinueOptions = {},
  ): Promise<WorkflowRunOutput> {
    return this.#continue(run, options, this.#runner.now());
  }

  /**
   * Like continueRun(), but stores the decisions exactly as it does (bad input throws the same
   * errors, storing nothing) with the run `pending`, and rings the `queue`. Returns at once.
   */
  async enqueueContinue(
    run: WorkflowRunOutput | ContinueWorkflowRef,
    options: WorkflowContinueOptions = {},
  ): Promise<EnqueuedRun> {
    const queue = requireQueue(this.queue, "workflow", "enqueueContinue");
    const stored = await this.#continue(run, options, this.#runner.now(), true);
    return ringQueue(queue, { kind: "workflow", ownerId: this.id }, stored);
  }

  /**
   * One job of the run queue (kern/worker calls it; so can a worker of yours): claims and drives a
   * `pending` run, continues a paused one that needs no person, and skips anything else.
   */
  async processQueuedRun(job: { runId: string; sessionId: string }): Promise<QueuedRunOutcome> {
    return processQueued(this.db, workflowRunAccess, job, {
      ownerId: this.id,
      adopt: async (loaded) => {
        const serving = this.#serving(loaded.state, {});
        const claim = await Claim.take(this.db, workflowRunAccess, loaded, serving.#runner.leaseMs);
        const resolved = resolvedAtCursor(claim.state);
        const started = resolved === null && claim.state.stepRequirements.length === 0;
        return serving.#runner.drive(claim, {}, { resolved, started, retrying: false });
      },
      resume: (next) => this.continueRun(next),
    });
  }

  /** `now` decides whether the active gate's deadline has passed (the sweep passes its own); `handOff` stores it `pending`. */
  async #continue(
    run: WorkflowRunOutput | ContinueWorkflowRef,
    options: WorkflowContinueOptions,
    now: number,
    handOff = false,
  ): Promise<WorkflowRunOutput> {
    const input = readWorkflowContinueInput(run);
    const loaded = await this.#load(input.runId, input.sessionId);
    if (loaded.state.status !== "paused") throw new RunNotPausedError(input.runId, loaded.state.status);
    const serving = this.#serving(loaded.state, options);
    if (serving !== this) return serving.#continue(run, options, now, handOff);
    const entries = decideActive(this.steps, loaded.state, input, options, now);
    // Grants asked for on the step agent's tool calls are stored with the workflow's claim, or not at all.
    const grants = executorGrants(this.steps, loaded.state, entries, this.db, now);
    if (handOff) {
      await handOffRun(this.db, workflowRunAccess, loaded.state, loaded, entries, grants);
      return new WorkflowRunOutput(loaded.state);
    }
    const leaseMs = this.#runner.leaseMs;
    const { claim, agentClaims } = await claimTree(this.db, this.steps, loaded, leaseMs, entries, grants);
    const resolved = resolvedAtCursor(claim.state);
    return this.#runner.drive(claim, options, {
      resolved,
      started: false,
      retrying: false,
      decided: entries,
      agentClaims,
    });
  }

  /**
   * Whether `actor` may decide requirement `requirementId` of a paused run (without an id: at least
   * open one); `includeDecided` asks about requirements decided already too (who could have).
   */
  canDecide(
    actor: Principal,
    run: WorkflowRunOutput,
    requirementId?: string,
    options: { includeDecided?: boolean } = {},
  ): boolean {
    return mayDecideStep(this.steps, actor, run, requirementId, options.includeDecided === true);
  }

  /**
   * Resumes a run that ended with an error (a step failed with onError "fail", a model failure)
   * from where it failed: completed steps and stored tool results are kept; the failed step runs
   * again (an agent step resumes its agent run from its last checkpoint).
   */
  async retryRun(
    ref: { runId: string; sessionId: string },
    options: WorkflowContinueOptions = {},
  ): Promise<WorkflowRunOutput> {
    const loaded = await this.#load(checkId("runId", ref.runId), checkId("sessionId", ref.sessionId));
    if (loaded.state.status !== "error") throw new RunNotPausedError(ref.runId, loaded.state.status, "retried");
    const serving = this.#serving(loaded.state, options);
    if (serving !== this) return serving.retryRun(ref, options);
    loaded.state.error = null;
    const claim = await Claim.take(this.db, workflowRunAccess, loaded, this.#runner.leaseMs);
    return this.#runner.drive(claim, options, {
      resolved: resolvedAtCursor(claim.state),
      started: false,
      retrying: true,
    });
  }

  /** Loads a stored run; never changes anything. */
  async getRunOutput(runId: string, sessionId: string): Promise<WorkflowRunOutput> {
    const { state } = await this.#load(runId, sessionId);
    return new WorkflowRunOutput(state, await loadExecutorRuns(this.steps, this.db, state, new Map()));
  }

  /** Lists this workflow's stored runs (newest first), without loading their state. */
  async listRuns(
    filter: { status?: RunStatus; sessionId?: string; limit?: number; offset?: number } = {},
  ): Promise<RunSummary[]> {
    return this.db.listRuns({ ...filter, kind: "workflow", ownerId: this.id });
  }

  /**
   * Ends a paused run as `cancelled`, closing its paused agent runs too (one per paused Parallel
   * branch). A run that is not paused (running, or already finished) throws RunNotPausedError and
   * is left as it is.
   */
  async cancelRun(runId: string, sessionId: string, reason = "Cancelled by the user."): Promise<WorkflowRunOutput> {
    const loaded = await this.#load(runId, sessionId);
    if (loaded.state.status !== "paused") throw new RunNotPausedError(runId, loaded.state.status, "cancelled");
    const claim = await Claim.take(this.db, workflowRunAccess, loaded, this.#runner.leaseMs);
    const log = this.storesEvents ? new RunEventLog(this.db, "workflow", runId) : null;
    return cancelWorkflowRun(this.steps, this.db, claim, reason, log);
  }

  /**
   * Applies lapsed deadlines (`timeout`, `hitlTimeout`) of the active gates of this workflow's
   * paused runs, and of their step agents' tool calls: decides (continuing the run through the
   * normal claim), escalates, or reports a reminder. Two sweeps at once apply each deadline once.
   * A run it cannot read or move on is reported in `skipped` and left as it is.
   */
  async expirePausedRuns(now: number = this.#runner.now()): Promise<SweepReport> {
    const queue = this.queue;
    return expireWorkflowRuns(this.db, this.id, now, async (ref, at) => {
      const stored = await this.#continue(ref, {}, at, queue !== undefined);
      return queue === undefined ? stored : ringQueue(queue, { kind: "workflow", ownerId: this.id }, stored);
    });
  }

  /**
   * Makes runs whose holder stopped renewing its claim (its process died) continuable again,
   * once the lease expired (`now` defaults to the current time): first its agents' runs, then its
   * own, each paused at its last checkpoint. What started and has no stored result comes back to
   * a person (retry or skip); a run with nothing uncertain resumes with continueRun(). Rows it
   * cannot read are reported in `skipped` and left as they are.
   */
  async recover(options: { now?: number } = {}): Promise<WorkflowRecovery> {
    const stepsFor = (state: WorkflowRunState): readonly Component[] =>
      this.previousVersions.find((version) => version.fingerprint === state.fingerprint)?.steps ?? this.steps;
    const handOff = this.queue !== undefined;
    return recoverWorkflowRuns(this.id, this.steps, stepsFor, this.db, options.now ?? Date.now(), handOff);
  }

  #load(runId: string, sessionId: string): Promise<LoadedRun<WorkflowRunState>> {
    return loadWorkflowRun(this.db, this.id, runId, sessionId);
  }

  /** The definition that serves a stored run (this one, a previous version), or DefinitionChangedError. */
  #serving(state: WorkflowRunState, choice: DefinitionChoice): Workflow {
    const serving = servingDefinition<Workflow>(this, state, `workflow '${this.id}'`, choice, () =>
      incompatibleRun(this.steps, state),
    );
    if (serving === this) state.fingerprint = this.fingerprint;
    return serving;
  }
}
