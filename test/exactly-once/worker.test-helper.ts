// A worker process for the exactly-once tests. It says `ready`, then serves commands from stdin
// (see protocol.test-helper.ts):
// - `open` connects to a test's store with a connection of its own (one worker serves many tests);
// - `race` continues a list of paused runs, approving each, and reports how every attempt ended;
// - `crash` continues runs and, when each run carries a crash point, holds every run at its point
//   and then SIGKILLs itself, so the store is left exactly as a process dying there leaves it.
import { appendFileSync, readFileSync } from "node:fs";
import { devNull } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import type { Db, RunRecord } from "kern";
import type { ContinueRunRef } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { continuingAgent, openStore, startingAgent, type ToolHooks } from "./fixture.test-helper.js";
import { type DbHooks, HookedDb } from "./hooked-db.test-helper.js";
import { continuingCoordinator, continuingFanOut } from "./nested-fixture.test-helper.js";
import {
  type Command,
  type CrashPoint,
  commandSchema,
  type Message,
  type Outcome,
  type RunToContinue,
  type Target,
} from "./protocol.test-helper.js";

const BARRIER_TIMEOUT_MS = 30_000;

/** stdout is a pipe, which Node writes synchronously on Linux: a line sent is a line received. */
function send(message: Message): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// What the current command wants from the hooks: the runs to hold (and where), the hot runs.
const holdAt = new Map<string, CrashPoint>();
const finished = new Set<string>();
const hotRuns = new Set<string>();
let barrier = { directory: "", parties: 0 };

/** Holds a run at its crash point forever; the worker dies once every run is held or settled. */
function holdIf(runId: string, point: CrashPoint): Promise<void> {
  if (holdAt.get(runId) !== point) return Promise.resolve();
  send({ type: "held", runId, point });
  markFinished(runId);
  return new Promise<void>(() => undefined);
}

function markFinished(runId: string): void {
  finished.add(runId);
  if (holdAt.size > 0 && finished.size === holdAt.size) {
    send({ type: "killing" });
    process.kill(process.pid, "SIGKILL");
  }
}

/** Every worker loads a hot run before any of them may claim it, so all but one lose the claim. */
async function awaitBarrier(runId: string): Promise<void> {
  const file = join(barrier.directory, runId);
  appendFileSync(file, `${process.pid}\n`);
  const deadline = Date.now() + BARRIER_TIMEOUT_MS;
  while (readFileSync(file, "utf8").split("\n").filter(Boolean).length < barrier.parties) {
    if (Date.now() > deadline) throw new Error(`barrier for hot run ${runId} timed out`);
    await sleep(2);
  }
}

/** The store of the last `open`, and the log its tests count executions in. */
let target: { db: Db; logFile: string } | undefined;

async function open(next: Target): Promise<void> {
  await target?.db.close();
  target = undefined;
  const db = new HookedDb(await openStore(next.store), dbHooks);
  await db.listRuns({ limit: 1 });
  await warmUp();
  target = { db, logFile: next.logFile };
  send({ type: "opened" });
}

/**
 * Runs one paused-and-continued run in memory, so a test's first run in this process is not also
 * the first time kern's code runs here: a kill "at a random moment" then lands among runs in
 * flight rather than almost always before the first one starts.
 */
async function warmUp(): Promise<void> {
  const memory = new InMemoryDb();
  const paused = await startingAgent(memory, devNull, "Warm-up").run("warm up");
  for (const requirement of paused.activeRequirements) requirement.confirm();
  await continuingAgent(memory, devNull, paused.runId).continueRun(paused);
}

const isAgentRun = (record: RunRecord): boolean => record.kind === "agent";
const dbHooks: DbHooks = {
  // A hot run is a plain agent run, an agent run paused in its sub-agent, or a workflow run.
  afterGetRun: async (_kind, runId) => {
    if (hotRuns.delete(runId)) await awaitBarrier(runId);
  },
  beforeUpdate: async (record) => {
    if (isAgentRun(record) && record.status === "running") await holdIf(record.runId, "before-claim");
    if (isAgentRun(record) && record.status === "completed") await holdIf(record.runId, "before-save");
  },
  afterUpdate: async (record, won) => {
    if (isAgentRun(record) && record.status === "running" && won) await holdIf(record.runId, "after-claim");
  },
};
const latency = new Map<string, number>();
const lag = (runId: string): Promise<unknown> => {
  const milliseconds = latency.get(runId);
  return milliseconds === undefined ? Promise.resolve() : sleep(milliseconds);
};
const toolHooks: ToolHooks = {
  duringTool: async (runId, moment) => {
    await lag(runId);
    await holdIf(runId, moment === "before" ? "during-tool-before-effect" : "during-tool-after-effect");
  },
  beforeModel: async (runId) => {
    await lag(runId);
    await holdIf(runId, "during-next-model-call");
    await holdIf(runId, "first-leg");
  },
};

/** Starts a new run under the trial's ids (its first leg), as a process taking a request would. */
async function start(run: RunToContinue): Promise<Outcome> {
  const base = { runId: run.runId, status: null, detail: null };
  try {
    if (target === undefined) throw new Error("a run was sent before any open command");
    const agent = startingAgent(target.db, target.logFile, "First leg", toolHooks, run.runId);
    const output = await agent.run("Send the first-leg alert", { runId: run.runId, sessionId: run.sessionId });
    return {
      ...base,
      outcome: "unexpected",
      status: output.status,
      detail: "a first-leg run got past its crash point",
    };
  } catch (error) {
    return {
      ...base,
      outcome: "unexpected",
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/** Continues one run, approving what the requirements say, and tells how the attempt ended. */
async function attempt(run: RunToContinue, hooks: ToolHooks = toolHooks, leaseMs?: number): Promise<Outcome> {
  const base = { runId: run.runId, status: null, detail: null };
  try {
    if (target === undefined) throw new Error("a run was sent before any open command");
    const { db, logFile } = target;
    // RunRequirement.toJSON() output, checked by continueRun itself as it checks any JSON it is sent.
    const requirements = run.requirements as NonNullable<ContinueRunRef["requirements"]>;
    const ref = { runId: run.runId, sessionId: run.sessionId };
    const output =
      run.shape === "parallel"
        ? await continuingFanOut(db, logFile).continueRun({ ...ref, decisions: run.decisions ?? [] })
        : run.shape === "subAgent"
          ? await continuingCoordinator(db, logFile).continueRun({ ...ref, requirements })
          : await continuingAgent(db, logFile, run.runId, hooks, leaseMs).continueRun({ ...ref, requirements });
    return { ...base, outcome: output.status === "completed" ? "completed" : "unexpected", status: output.status };
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (failure.name === "RunAlreadyClaimedError") return { ...base, outcome: "RunAlreadyClaimedError" };
    if (failure.name === "ClaimLostError") return { ...base, outcome: "ClaimLostError", detail: failure.message };
    if (failure.name === "RunNotPausedError" && "status" in failure && typeof failure.status === "string") {
      return { ...base, outcome: "RunNotPausedError", status: failure.status };
    }
    return { ...base, outcome: "unexpected", detail: `${failure.name}: ${failure.message}` };
  }
}

/** Sleeps most of the way, then spins, so all workers start within a fraction of a millisecond. */
async function waitUntil(moment: number): Promise<void> {
  const rest = moment - Date.now() - 5;
  if (rest > 0) await sleep(rest);
  while (Date.now() < moment) {
    // Spin: timers are too coarse to line the workers up.
  }
}

async function race(command: Extract<Command, { op: "race" }>): Promise<void> {
  for (const runId of command.hot.runIds) hotRuns.add(runId);
  barrier = { directory: command.hot.barrierDir, parties: command.hot.parties };
  const outcomes: Outcome[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let run = command.runs[next++]; run !== undefined; run = command.runs[next++])
      outcomes.push(await attempt(run));
  };
  await waitUntil(command.goAt);
  await Promise.all(Array.from({ length: command.concurrency }, lane));
  send({ type: "raced", outcomes });
}

function crash(command: Extract<Command, { op: "crash" }>): void {
  holdAt.clear();
  finished.clear();
  latency.clear();
  for (const trial of command.trials) {
    if (trial.point !== null) holdAt.set(trial.runId, trial.point);
    if (trial.latencyMs > 0) latency.set(trial.runId, trial.latencyMs);
  }
  send({ type: "started" });
  for (const trial of command.trials) {
    setTimeout(() => {
      void (trial.point === "first-leg" ? start(trial) : attempt(trial)).then((outcome) => {
        send({ type: "settled", outcome });
        if (holdAt.has(trial.runId)) markFinished(trial.runId);
      });
    }, trial.startAfterMs);
  }
}

send({ type: "ready", pid: process.pid });
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  try {
    const command = commandSchema.parse(JSON.parse(line));
    if (command.op === "open") await open(command.target);
    else if (command.op === "race") await race(command);
    else if (command.op === "continue") {
      const { toolMs } = command;
      const slowTool: ToolHooks = {
        duringTool: async (_runId, moment) => void (moment === "before" ? await sleep(toolMs) : undefined),
      };
      void attempt(command.run, slowTool, command.leaseMs).then((outcome) => send({ type: "settled", outcome }));
    } else crash(command);
  } catch (error) {
    send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}
await target?.db.close();
