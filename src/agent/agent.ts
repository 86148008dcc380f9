import type { Db } from "../db/index.js";
import { defaultMemoryDb } from "../db/index.js";
import { RunNotPausedError } from "../errors.js";
import type { Model } from "../models/index.js";
import type { Principal } from "../runs/index.js";
import {
  type AgentRunState,
  Claim,
  chainListeners,
  checkId,
  DEFAULT_LEASE_MS,
  type DefinitionChoice,
  type EnqueuedRun,
  handOffRun,
  loadRun,
  parentClaim,
  processQueued,
  type QueuedRunOutcome,
  type RunQueue,
  RunStream,
  requireQueue,
  ringQueue,
  type SweepReport,
  servingDefinition,
} from "../runs/index.js";
import type { Tool } from "../tools/index.js";
import { type AgentParts, type DriveSettings, driveClaimedRun, driveSettings } from "./agent-drive.js";
import { type AgentOptions, checkAgentOptions } from "./agent-options.js";
import { agentRunAccess, loadAgentRun } from "./agent-run-access.js";
import { checkedAgentRunState } from "./agent-state.js";
import { type AgentToolOptions, agentTool } from "./agent-tool.js";
import { claimContinue } from "./continue-decisions.js";
import { type ContinueRunRef, readContinueInput } from "./continue-input.js";
import { cancelPausedRun, expireAgentRuns } from "./deadlines.js";
import { mayDecide } from "./decide.js";
import { agentFingerprint, incompatibleCalls } from "./definition.js";
import type { AgentEvent } from "./events.js";
import { checkOutermost } from "./outermost.js";
import { type AgentRecovery, recoverAgentRuns } from "./recover.js";
import type { ContinueOptions, RunOptions } from "./run-options.js";
import { RunOutput } from "./run-output.js";
import { agentParts } from "./sub-agent.js";
import { adoptTreeTake, continueTaken, prepareTreeTake, type TreeTake, takeInTree } from "./tree-take.js";

export type { AgentOptions } from "./agent-options.js";
export type { AgentToolOptions } from "./agent-tool.js";

export type { ContinueOptions, RunOptions } from "./run-options.js";

/** What runStream() and continueRunStream() return: the events, and `.output` (the stored run). */
export type AgentRunStream = RunStream<AgentEvent, RunOutput>;

/**
 * An agent: calls its model, runs the tools it asks for, and pauses on gated tool calls until a
 * human decides. Runs are stored in `db` from their first step, checkpointed after every tool
 * call, and continued by any process with `continueRun`.
 *
 * @example
 * const agent = new Agent({ name: "AlertAgent", model, tools: [sendAlert], db });
 * let run = await agent.run("Send a weather alert for Tokyo");
 * while (run.isPaused) {
 *   for (const requirement of run.activeRequirements) requirement.confirm();
 *   run = await agent.continueRun(run);
 * }
 */
export class Agent {
  readonly name: string;
  readonly id: string;
  readonly #options: AgentOptions;
  #toolMap: Map<string, Tool> | undefined;
  #fingerprint: string | undefined;

  constructor(options: AgentOptions) {
    checkAgentOptions(options);
    this.name = options.name;
    this.id = options.id ?? options.name;
    this.#options = options;
  }

  get description(): string | undefined {
    return this.#options.description;
  }
  get model(): Model {
    return this.#options.model;
  }
  get db(): Db {
    return this.#options.db ?? defaultMemoryDb();
  }
  /** The db given at construction, if any. */
  get ownDb(): Db | undefined {
    return this.#options.db;
  }
  get tools(): ReadonlyMap<string, Tool> {
    this.#toolMap ??= new Map((this.#options.tools ?? []).map((tool) => [tool.name, tool]));
    return this.#toolMap;
  }
  /** A digest of what this agent's runs depend on (id, tools, gates, parameters); stored with each run. */
  get fingerprint(): string {
    this.#fingerprint ??= agentFingerprint(this.id, this.tools);
    return this.#fingerprint;
  }
  get previousVersions(): readonly Agent[] {
    return this.#options.previousVersions ?? [];
  }
  /** The queue enqueueRun() and enqueueContinue() ring, if any. */ get queue(): RunQueue | undefined {
    return this.#options.queue;
  }
  /** Whether this agent's runs store their events (the `storeEvents` option; default: when it has a queue). */
  get storesEvents(): boolean {
    return this.#options.storeEvents ?? this.#options.queue !== undefined;
  }

  /**
   * This agent as a tool another agent can call: each call runs it on the task the calling model
   * gives (`{ input }`), inside the calling run; its answer is the result. A gated call of its
   * pauses the calling run, with a requirement whose `path` names both agents and the tool, and
   * continuing the calling run resumes it in place. Works at any depth, in workflow steps too.
   *
   * @example
   * const planner = new Agent({ name: "Planner", model, tools: [researcher.asTool({ name: "research" })], db });
   * const run = await planner.run("Plan the launch"); // paused: activeRequirements[0].path is
   * // ["Planner", "Researcher", "web_search"]; confirm() it, then planner.continueRun(run)
   */
  asTool(options: AgentToolOptions = {}): Tool {
    return agentTool(this, options);
  }

  /** Internal: what the loop needs to drive this agent's runs inside another agent's run. */
  [agentParts](): AgentParts {
    const options = this.#options;
    return {
      agentName: this.name,
      model: options.model,
      tools: this.tools,
      instructions: options.instructions,
      maxTurns: options.maxTurns ?? 10,
      now: () => this.#now(),
      agentPolicy: options.policy,
      storeEvents: this.storesEvents,
    };
  }

  /**
   * Starts a run with `input` as the user message; resolves when it completes or pauses. The run
   * is stored (running, claimed) before the model is first called.
   */
  async run(input: string, options: RunOptions = {}): Promise<RunOutput> {
    const db = options.db ?? this.db;
    const state = await checkedAgentRunState(this, db, input, options);
    const settings = driveSettings(db, options);
    // In a workflow's step, the insert may wait for the workflow's "step started" write.
    const claim = await Claim.insert(db, agentRunAccess, state, this.#leaseMs, settings.batch);
    return this.#drive(claim, settings, true);
  }

  /** Like run(), but stores the run `pending` and rings the agent's `queue`: a worker runs it. Returns at once. */
  async enqueueRun(input: string, options: Omit<RunOptions, "onEvent" | "signal" | "db"> = {}): Promise<EnqueuedRun> {
    const queue = requireQueue(this.queue, "agent", "enqueueRun");
    const state = await checkedAgentRunState(this, this.db, input, options);
    await handOffRun(this.db, agentRunAccess, state, null);
    return ringQueue(queue, { kind: "agent", ownerId: this.id }, state);
  }

  /**
   * Like run(), as a stream of events (text as it arrives, tool calls, the pause). A pause ends
   * the stream on RunPaused; `.output` resolves to the stored run.
   *
   * @example
   * const stream = agent.runStream("Alert Tokyo");
   * for await (const event of stream) if (event.event === "RunContent") process.stdout.write(event.delta);
   * const run = await stream.output;
   */
  runStream(input: string, options: RunOptions = {}): AgentRunStream {
    return new RunStream((emit) =>
      this.run(input, { stream: true, ...options, onEvent: chainListeners(emit, options.onEvent) }),
    );
  }

  /** Like continueRun(), as a stream of events; `.output` resolves to the stored run. */
  continueRunStream(run: RunOutput | ContinueRunRef, options: ContinueOptions = {}): AgentRunStream {
    return new RunStream((emit) =>
      this.continueRun(run, { stream: true, ...options, onEvent: chainListeners(emit, options.onEvent) }),
    );
  }

  /**
   * Continues a paused run: applies the decisions it carries, claims it atomically, runs what
   * was approved (exactly once) and goes on until the run completes or pauses again. A run that
   * recover() paused at a checkpoint with nothing to decide continues with no decisions.
   */
  async continueRun(run: RunOutput | ContinueRunRef, options: ContinueOptions = {}): Promise<RunOutput> {
    return this.#continue(run, options, this.#now());
  }

  /**
   * Like continueRun(), but stores the decisions exactly as it does (bad input throws the same
   * errors, storing nothing) with the run `pending`, and rings the `queue`. Returns at once.
   */
  async enqueueContinue(run: RunOutput | ContinueRunRef, options: ContinueOptions = {}): Promise<EnqueuedRun> {
    const queue = requireQueue(this.queue, "agent", "enqueueContinue");
    const stored = await this.#continue(run, { ...options, db: this.db }, this.#now(), true);
    return ringQueue(queue, { kind: "agent", ownerId: this.id }, stored);
  }

  /**
   * One job of the run queue (kern/worker calls it; so can a worker of yours): claims and drives a
   * `pending` run, continues a paused one that needs no person, and skips anything else.
   */
  async processQueuedRun(job: { runId: string; sessionId: string }): Promise<QueuedRunOutcome> {
    return processQueued(this.db, agentRunAccess, job, {
      ownerId: this.id,
      adopt: async (loaded) => {
        const serving = this.#serving(loaded.state, {});
        const claim = await Claim.take(this.db, agentRunAccess, loaded, serving.#leaseMs);
        return serving.#drive(claim, driveSettings(this.db, {}), loaded.state.turns === 0);
      },
      resume: (next) => this.continueRun(next),
    });
  }

  /** `now` decides which calls' deadlines have passed (the sweep passes its own); `handOff` stores it `pending`. */
  async #continue(
    run: RunOutput | ContinueRunRef,
    options: ContinueOptions,
    now: number,
    handOff = false,
  ): Promise<RunOutput> {
    const { runId, sessionId, supplied } = readContinueInput(run);
    const db = options.db ?? this.db;
    const loaded = await loadAgentRun(db, this.id, runId, sessionId);
    checkOutermost(loaded.state, options[parentClaim], "continued");
    if (loaded.state.status !== "paused") throw new RunNotPausedError(runId, loaded.state.status);
    const serving = this.#serving(loaded.state, options);
    if (serving !== this) return serving.#continue(run, { ...options, db }, now, handOff);
    const timing = { now, leaseMs: this.#leaseMs, handOff };
    const next = await claimContinue(db, loaded, supplied, this.tools, options, timing);
    if ("cancelled" in next) return next.cancelled;
    if ("handedOff" in next) return new RunOutput(next.handedOff);
    return this.#drive(next.claim, driveSettings(db, options, next.entries), false);
  }

  /**
   * Whether `actor` may decide requirement `requirementId` of a paused run (without an id: at least
   * open one); `includeDecided` asks about requirements decided already too (who could have).
   */
  canDecide(
    actor: Principal,
    run: RunOutput,
    requirementId?: string,
    options: { includeDecided?: boolean } = {},
  ): boolean {
    return mayDecide(this.tools, actor, run, requirementId, options.includeDecided === true);
  }

  /**
   * Resumes a run that ended with an error (a model failure, say) from its last checkpoint: tool
   * results stored before the failure are kept, and no tool that finished runs again.
   */
  async retryRun(ref: { runId: string; sessionId: string }, options: ContinueOptions = {}): Promise<RunOutput> {
    const db = options.db ?? this.db;
    const loaded = await loadAgentRun(db, this.id, checkId("runId", ref.runId), checkId("sessionId", ref.sessionId));
    checkOutermost(loaded.state, options[parentClaim], "retried");
    if (loaded.state.status !== "error") throw new RunNotPausedError(ref.runId, loaded.state.status, "retried");
    const serving = this.#serving(loaded.state, options);
    if (serving !== this) return serving.retryRun(ref, { ...options, db });
    loaded.state.error = null;
    const claim = await Claim.take(db, agentRunAccess, loaded, this.#leaseMs);
    return this.#drive(claim, driveSettings(db, options), false);
  }

  /** Internal: a workflow's claim of its step agent's paused run, ready to store with its own (tree-take.ts). */
  [takeInTree](ref: ContinueRunRef, options: ContinueOptions): Promise<TreeTake | null> {
    const db = options.db ?? this.db;
    const agent = { id: this.id, tools: this.tools, leaseMs: this.#leaseMs, now: this.#now() };
    return prepareTreeTake(db, { ...agent, serves: (state) => this.#serving(state, options) === this }, ref, options);
  }

  /** Internal: drives a run its workflow claimed with a TreeTake, as continueRun() would after its claim. */
  [continueTaken](take: TreeTake, options: ContinueOptions): Promise<RunOutput> {
    const db = options.db ?? this.db;
    return this.#drive(adoptTreeTake(db, take, this.#leaseMs), driveSettings(db, options, take.entries), false);
  }

  /** Loads a stored run; never changes anything. */
  async getRunOutput(runId: string, sessionId: string, options: Pick<RunOptions, "db"> = {}): Promise<RunOutput> {
    const loaded = await loadRun(options.db ?? this.db, agentRunAccess, runId, sessionId);
    return new RunOutput(loaded.state);
  }

  /**
   * Ends a paused run as `cancelled` (claiming it first, so it cannot race a continue); its gated
   * calls never run. A run that is not paused throws RunNotPausedError and is left as it is.
   */
  async cancelRun(
    runId: string,
    sessionId: string,
    options: Pick<RunOptions, "db" | typeof parentClaim> = {},
  ): Promise<RunOutput> {
    const db = options.db ?? this.db;
    const loaded = await loadAgentRun(db, this.id, runId, sessionId);
    checkOutermost(loaded.state, options[parentClaim], "cancelled");
    if (loaded.state.status !== "paused") throw new RunNotPausedError(runId, loaded.state.status, "cancelled");
    return cancelPausedRun(db, loaded, this.#leaseMs);
  }

  /**
   * Makes runs whose holder stopped renewing its claim (its process died) continuable once the
   * lease expired (`now`: default the current time). A tool call that started but has no stored
   * result becomes a requirement: confirm() runs it again, reject() skips it. Other runs pause at
   * their last checkpoint with nothing to decide (continueRun() resumes them). Unreadable rows are
   * reported in `skipped` and left alone.
   */
  async recover(options: { now?: number; db?: Db } = {}): Promise<AgentRecovery> {
    return recoverAgentRuns(options.db ?? this.db, this.id, options.now ?? Date.now(), this.queue !== undefined);
  }

  /**
   * Applies lapsed tool-call deadlines (a tool's `timeout`) to this agent's paused runs: decides,
   * escalates or reminds; a run left with nothing to decide continues through the normal claim
   * (with a `queue`: on a worker).
   */
  async expirePausedRuns(now: number = this.#now()): Promise<SweepReport> {
    const queue = this.queue;
    return expireAgentRuns(this.db, this.id, now, async (next, at) => {
      const stored = await this.#continue(next, {}, at, queue !== undefined);
      return queue === undefined ? stored : ringQueue(queue, { kind: "agent", ownerId: this.id }, stored);
    });
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  get #leaseMs(): number {
    return this.#options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** The definition that serves a stored run (this one, a previous version), or DefinitionChangedError. */
  #serving(state: AgentRunState, choice: DefinitionChoice): Agent {
    const serving = servingDefinition<Agent>(this, state, `agent '${this.id}'`, choice, () =>
      incompatibleCalls(state, this.tools),
    );
    if (serving === this) state.fingerprint = this.fingerprint;
    return serving;
  }

  #drive(claim: Claim<AgentRunState>, settings: DriveSettings, started: boolean): Promise<RunOutput> {
    return driveClaimedRun(claim, settings, started, this[agentParts]());
  }
}
