// The agent every exactly-once test drives, shared by the test processes and their workers, so
// both sides rebuild the same agent from scratch. Its one tool needs confirmation; each real
// execution appends `<runId> <pid>` to a log file, which is how the tests count executions
// across processes (a SIGKILL cannot lose a line that was written: one append is one write(2)).
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { Db, ModelRequest, ModelResponse } from "kern";
import { Agent } from "kern/agent";
import { FakeModel, type FakeScript, text, toolCall, toolCalls } from "kern/testing";
import { type Tool, tool } from "kern/tools";
import { z } from "zod";

export const AGENT_NAME = "ExactlyOnceAgent";
export const TOOL_NAME = "send_alert";

/** Where a test's runs are stored; a worker process opens its own connection from this. */
export type StoreConfig = { kind: "sqlite"; dbFile: string } | { kind: "postgres"; dbUrl: string; schema: string };

/** Places inside one continueRun where a test may stop the run (see the crash test). */
export interface ToolHooks {
  /** Inside the tool, before (`"before"`) or after (`"after"`) its side effect. */
  duringTool?: (runId: string, moment: "before" | "after") => Promise<void>;
  /** When the model is called: after the tool ran (its result already stored), or in a run's first leg. */
  beforeModel?: (runId: string) => Promise<void>;
}

/** Opens the store a config names; the driver is loaded only when it is used. */
export async function openStore(config: StoreConfig, maxConnections = 4): Promise<Db> {
  if (config.kind === "sqlite") {
    const { SqliteDb } = await import("kern/db/sqlite");
    // Up to 8 processes with 6 runs in flight each share one file here: on a loaded 2-core
    // machine a writer waiting for SQLite's lock was once starved past the default 5 s (SQLITE_BUSY,
    // as the error says: raise busyTimeoutMs). These tests count claims and executions, not lock waits.
    return new SqliteDb({ dbFile: config.dbFile, busyTimeoutMs: 60_000 });
  }
  const { PostgresDb } = await import("kern/db/postgres");
  const db = new PostgresDb({ dbUrl: config.dbUrl, schema: config.schema, maxConnections });
  await db.migrate();
  return db;
}

/** A FakeModel that can be held (or stopped) just before it answers. */
class HookedModel extends FakeModel {
  readonly #before: () => Promise<void>;

  constructor(turns: FakeScript[], before: () => Promise<void>) {
    super(turns);
    this.#before = before;
  }

  override async generate(request: ModelRequest): Promise<ModelResponse> {
    await this.#before();
    return super.generate(request);
  }
}

/** The agent with the model scripted to open a run: it asks for one gated tool call. */
export function startingAgent(db: Db, logFile: string, city: string, hooks: ToolHooks = {}, runId = ""): Agent {
  const before = hooks.beforeModel;
  const model = new HookedModel([toolCall(TOOL_NAME, { city, message: "Heavy rain" })], async () => before?.(runId));
  return buildAgent(db, logFile, model, hooks);
}

/** The agent with the model scripted to open a run that asks for two gated calls in one turn. */
export function twoCallAgent(db: Db, logFile: string, cities: readonly [string, string]): Agent {
  const calls = cities.map((city) => ({ name: TOOL_NAME, args: { city, message: "Heavy rain" } }));
  return buildAgent(db, logFile, new FakeModel([toolCalls(calls)]), {});
}

/** The agent with the model scripted for one continue: after the tool result it answers in text. */
export function continuingAgent(
  db: Db,
  logFile: string,
  runId: string,
  hooks: ToolHooks = {},
  leaseMs?: number,
): Agent {
  const before = hooks.beforeModel;
  const model = new HookedModel([text(`Done by ${process.pid}.`)], async () => before?.(runId));
  return buildAgent(db, logFile, model, hooks, leaseMs);
}

/** The gated tool every exactly-once agent calls: each real execution is one line in `logFile`. */
export function sendAlertTool(logFile: string, hooks: ToolHooks = {}): Tool {
  return tool({
    name: TOOL_NAME,
    parameters: z.object({ city: z.string(), message: z.string() }),
    requiresConfirmation: true,
    execute: async ({ city }, context) => {
      await hooks.duringTool?.(context.runId, "before");
      appendFileSync(logFile, `${context.runId} ${process.pid} ${city}\n`);
      await hooks.duringTool?.(context.runId, "after");
      return `Alert sent for ${city}.`;
    },
  });
}

function buildAgent(db: Db, logFile: string, model: FakeModel, hooks: ToolHooks, leaseMs?: number): Agent {
  const sendAlert = sendAlertTool(logFile, hooks);
  return new Agent({ name: AGENT_NAME, model, tools: [sendAlert], db, ...(leaseMs === undefined ? {} : { leaseMs }) });
}

/** One logged execution: which run, which process ran the tool, for which city. */
export interface Execution {
  runId: string;
  pid: number;
  city: string;
}

/** Every execution the tool logged, in order. */
export function loggedExecutions(logFile: string): Execution[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [runId = "", pid = "", ...city] = line.split(" ");
      return { runId, pid: Number(pid), city: city.join(" ") };
    });
}

/** How many times the tool ran, per run id. */
export function executionsPerRun(logFile: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { runId } of loggedExecutions(logFile)) counts.set(runId, (counts.get(runId) ?? 0) + 1);
  return counts;
}
