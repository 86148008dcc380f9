import { newId } from "../runs/new-id.js";
import type { Db } from "../db/db.js";
import { defaultMemoryDb } from "../db/memory/default-db.js";
import { ConfigurationError, KernError, RunNotPausedError } from "../errors.js";
import type { Model } from "../models/index.js";
import { chainListeners, claimRun, loadRun, runFailure, saveRun, type AgentRunState, type LoadedRun } from "../runs/index.js";
import type { Tool } from "../tools/index.js";
import { agentRunAccess } from "./agent-run-access.js";
import { applyResolutions, readContinueInput, type ContinueRunRef } from "./continue-input.js";
import { driveAgentRun, type LoopContext } from "./run-loop.js";
import { RunOutput } from "./run-output.js";
import { markApprovedCalls } from "./tool-batch.js";
import { recoverAgentRuns, type RecoveredRun } from "./recover.js";
import { pausedToolCalls, type AgentEvent, type AgentEventListener } from "./events.js";
import { RunStream } from "../runs/event-stream.js";
import { holdRun } from "../runs/run-store.js";
import { holdWritesIn, type WriteBatch } from "../runs/write-batch.js";

export interface AgentOptions {
  name: string;
  /** Stable id runs are stored under; defaults to `name`. */
  id?: string;
  model: Model;
  tools?: readonly Tool[];
  instructions?: string;
  description?: string;
  /** Where runs are stored. Without one, runs live in this process's memory only. */
  db?: Db;
  /** Model turns allowed in one run before it stops with MaxTurnsExceededError (default 10). */
  maxTurns?: number;
}

export interface RunOptions {
  sessionId?: string;
  userId?: string;
  runId?: string;
  signal?: AbortSignal;
  /** Store the run here instead of the agent's own db (workflows pass theirs). */
  db?: Db;
  /** Called with each event as it happens (runStream() uses this). */
  onEvent?: AgentEventListener;
  /** Use the model's streaming API so RunContent events carry text as it arrives. */
  stream?: boolean;
  /** The workflow run this run belongs to (set by workflows; its pauses are listed there). */
  parentRunId?: string;
  /** Internal: a workflow's batch that stores this run's final save with the workflow's own. */
  [holdWritesIn]?: WriteBatch;
}

export type ContinueOptions = Pick<RunOptions, "signal" | "db" | "onEvent" | "stream" | typeof holdWritesIn>;

/** What runStream() and continueRunStream() return: the events, and `.output` (the stored run). */
export type AgentRunStream = RunStream<AgentEvent, RunOutput>;

/** Per-drive settings: where to store, what to report, how to call the model. */
interface DriveOptions {
  db: Db;
  signal: AbortSignal | undefined;
  emit: AgentEventListener | undefined;
  stream: boolean;
  /** Where the final save waits for the workflow's save (only when both use the same Db). */
  batch: WriteBatch | undefined;
}

function driveOptions(db: Db, options: ContinueOptions): DriveOptions {
  const batch = options[holdWritesIn]?.db === db ? options[holdWritesIn] : undefined;
  return { db, signal: options.signal, emit: options.onEvent, stream: options.stream === true, batch };
}

/** Stores the run's outcome, or holds it for the workflow that drives this run. */
async function storeOutcome(options: DriveOptions, state: AgentRunState, previous: number | null): Promise<void> {
  if (options.batch === undefined) await saveRun(options.db, agentRunAccess, state, previous);
  else holdRun(options.batch, agentRunAccess, state, previous);
}

const AGENT_OPTIONS = new Set(["name", "id", "model", "tools", "instructions", "description", "db", "maxTurns"]);

function checkOptions(options: AgentOptions): void {
  for (const key in options) {
    if (!AGENT_OPTIONS.has(key)) {
      throw new ConfigurationError(`new Agent() does not support '${key}'; supported options: ${[...AGENT_OPTIONS].join(", ")}.`);
    }
  }
  if (typeof options.name !== "string" || options.name === "") {
    throw new ConfigurationError("new Agent() needs a name, e.g. new Agent({ name: 'AlertAgent', model }).");
  }
  if (typeof options.model?.generate !== "function") {
    throw new ConfigurationError(`Agent '${options.name}' needs a model, e.g. new OpenAIResponses({ id: "gpt-5.4" }).`);
  }
  const tools = options.tools ?? [];
  for (let index = 0; index < tools.length; index += 1) {
    for (let other = index + 1; other < tools.length; other += 1) {
      if (tools[index]?.name === tools[other]?.name) {
        throw new ConfigurationError(`Agent '${options.name}' has two tools named '${tools[index]?.name}'; tool names must be unique.`);
      }
    }
  }
}

/**
 * An agent: calls its model, runs the tools it asks for, and pauses on gated tool calls until a
 * human decides. Paused runs are stored in `db` and continued by any process with `continueRun`.
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

  constructor(options: AgentOptions) {
    checkOptions(options);
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
    return (this.#toolMap ??= new Map((this.#options.tools ?? []).map((tool) => [tool.name, tool])));
  }

  /** Starts a run with `input` as the user message; resolves when it completes or pauses. */
  async run(input: string, options: RunOptions = {}): Promise<RunOutput> {
    if (typeof input !== "string") {
      throw new ConfigurationError(`agent.run(input) takes a string, got ${typeof input}.`);
    }
    const db = options.db ?? this.db;
    if (options.runId !== undefined && (await db.getRun("agent", options.runId)) !== null) {
      throw new ConfigurationError(`A run with id '${options.runId}' already exists; pass a new runId or none.`);
    }
    const now = Date.now();
    const state: AgentRunState = {
      schemaVersion: 1,
      kind: "agent",
      runId: options.runId ?? newId(),
      sessionId: options.sessionId ?? newId(),
      userId: options.userId ?? null,
      agentId: this.id,
      agentName: this.name,
      parentRunId: options.parentRunId ?? null,
      status: "running",
      content: null,
      messages: [{ role: "user", content: input }],
      tools: [],
      requirements: [],
      cursor: null,
      turns: 0,
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    return this.#drive({ state, revision: 0 }, driveOptions(db, options));
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
    return new RunStream((emit) => this.run(input, { stream: true, ...options, onEvent: chainListeners(emit, options.onEvent) }));
  }

  /** Like continueRun(), as a stream of events; `.output` resolves to the stored run. */
  continueRunStream(run: RunOutput | ContinueRunRef, options: ContinueOptions = {}): AgentRunStream {
    return new RunStream((emit) => this.continueRun(run, { stream: true, ...options, onEvent: chainListeners(emit, options.onEvent) }));
  }

  /**
   * Continues a paused run: applies the decisions it carries, claims it atomically, runs what
   * was approved (exactly once) and goes on until the run completes or pauses again.
   */
  async continueRun(run: RunOutput | ContinueRunRef, options: ContinueOptions = {}): Promise<RunOutput> {
    const { runId, sessionId, supplied } = readContinueInput(run);
    const db = options.db ?? this.db;
    const loaded = await loadRun(db, agentRunAccess, runId, sessionId);
    this.#checkOwner(loaded.state);
    if (loaded.state.status !== "paused") {
      throw new RunNotPausedError(runId, loaded.state.status);
    }
    applyResolutions(loaded.state, supplied, this.tools);
    markApprovedCalls(loaded.state);
    const claimed = await claimRun(db, agentRunAccess, loaded);
    return this.#drive(claimed, driveOptions(db, options));
  }

  /** Loads a stored run; never changes anything. */
  async getRunOutput(runId: string, sessionId: string, options: Pick<RunOptions, "db"> = {}): Promise<RunOutput> {
    const loaded = await loadRun(options.db ?? this.db, agentRunAccess, runId, sessionId);
    return new RunOutput(loaded.state);
  }

  /**
   * Ends a paused run as `cancelled` (claiming it first, so it cannot race a continue); its
   * gated calls never run. Cancelling a run that is already finished changes nothing.
   */
  async cancelRun(runId: string, sessionId: string, options: Pick<RunOptions, "db"> = {}): Promise<RunOutput> {
    const db = options.db ?? this.db;
    const loaded = await loadRun(db, agentRunAccess, runId, sessionId);
    this.#checkOwner(loaded.state);
    if (loaded.state.status !== "paused") return new RunOutput(loaded.state);
    const claimed = await claimRun(db, agentRunAccess, loaded);
    claimed.state.status = "cancelled";
    claimed.state.cursor = null;
    for (const requirement of claimed.state.requirements) requirement.frozen = true;
    await saveRun(db, agentRunAccess, claimed.state, claimed.revision);
    return new RunOutput(claimed.state);
  }

  /**
   * Makes runs whose process died while holding their claim continuable again, once the claim
   * expired (`now` defaults to the current time). A tool call that was approved but has no
   * stored result comes back as a requirement: confirm() runs it again, reject() skips it.
   */
  async recover(options: { now?: number; db?: Db } = {}): Promise<RecoveredRun[]> {
    return recoverAgentRuns(options.db ?? this.db, this.id, options.now ?? Date.now());
  }

  #checkOwner(state: AgentRunState): void {
    if (state.agentId !== this.id) {
      throw new ConfigurationError(
        `Run '${state.runId}' belongs to agent '${state.agentId}', not '${this.id}'; continue it with that agent.`,
      );
    }
  }

  /** Runs the loop and stores the outcome; revision 0 means the run is not stored yet. */
  async #drive(loaded: LoadedRun<AgentRunState>, options: DriveOptions): Promise<RunOutput> {
    const { state } = loaded;
    const { emit } = options;
    const previous = loaded.revision === 0 ? null : loaded.revision;
    const ids = { runId: state.runId, sessionId: state.sessionId, agentName: state.agentName };
    emit?.({ event: previous === null ? "RunStarted" : "RunContinued", ...ids });
    try {
      await driveAgentRun(state, this.#loopContext(options));
    } catch (error) {
      const failure = runFailure(error);
      state.status = failure.status;
      state.error = failure.error;
      await storeOutcome(options, state, previous);
      emit?.(failure.status === "cancelled" ? { event: "RunCancelled", ...ids, reason: failure.error.message } : { event: "RunError", ...ids, error: failure.error });
      if (error instanceof KernError && "runOutput" in error) error.runOutput = new RunOutput(state);
      throw error;
    }
    await storeOutcome(options, state, previous);
    emit?.(
      state.status === "paused"
        ? { event: "RunPaused", ...ids, requirements: pausedToolCalls(state.requirements, state.tools) }
        : { event: "RunCompleted", ...ids, content: state.content },
    );
    return new RunOutput(state);
  }

  #loopContext(options: DriveOptions): LoopContext {
    return {
      agentName: this.name,
      provider: this.model.provider,
      tools: this.tools,
      signal: options.signal,
      emit: options.emit,
      stream: options.stream,
      model: this.model,
      instructions: this.#options.instructions,
      maxTurns: this.#options.maxTurns ?? 10,
    };
  }
}
