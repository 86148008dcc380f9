// One OS process of scenario 10. It reads one JSON command per stdin line and answers each with one
// JSON line on stdout. Every command names its store (SQLite file or Postgres schema) and the log
// file the tool appends to:
//
// - `{"op":"warm"}` opens the store (and applies migrations), so a later race is not slowed by it.
// - `{"op":"start"}` runs the workflow to its first pause.
// - `{"op":"resolve","runId","sessionId","goAt"?}` builds the workflow from scratch, loads the run
//   by id, approves its active pause, then (after spinning until `goAt`, when given, so that two
//   processes call continueRun at the same moment) continues it with requirement JSON.
import { createInterface } from "node:readline";
import type { Db } from "kern";
import type { WorkflowRunOutput } from "kern/workflow";
import { z } from "zod";
import { build, input, openStore, type Reply, type RunSummary, type StoreConfig } from "./10_another_process.js";

const targetSchema = z.object({
  store: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("sqlite"), dbFile: z.string() }),
    z.object({ kind: z.literal("postgres"), dbUrl: z.string(), schema: z.string() }),
  ]),
  logFile: z.string(),
});
const commandSchema = z.discriminatedUnion("op", [
  targetSchema.extend({ op: z.literal("warm") }),
  targetSchema.extend({ op: z.literal("start") }),
  targetSchema.extend({
    op: z.literal("resolve"),
    runId: z.string(),
    sessionId: z.string(),
    goAt: z.number().optional(),
  }),
]);
type Command = z.infer<typeof commandSchema>;

/** One open store per configuration, kept for the life of the process like an application's pool. */
const stores = new Map<string, Promise<Db>>();
function storeFor(config: StoreConfig): Promise<Db> {
  const key = JSON.stringify(config);
  let db = stores.get(key);
  if (db === undefined) {
    db = openStore(config);
    stores.set(key, db);
  }
  return db;
}

function summarize(run: WorkflowRunOutput): RunSummary {
  const active = run.isPaused ? run.stepRequirements.at(-1) : undefined;
  return {
    runId: run.runId,
    sessionId: run.sessionId,
    status: run.status,
    pauseKind: run.pauseKind,
    pausedStepName: run.pausedStepName,
    requirementCount: run.stepRequirements.length,
    calls: (active?.executorRequirements ?? []).map((call) => ({
      toolName: call.toolExecution.toolName,
      toolArgs: call.toolExecution.toolArgs,
    })),
    content: run.content,
  };
}

/** Approves the active entry only, the way a person at an approval inbox would. */
function approveActive(run: WorkflowRunOutput): void {
  const active = run.isPaused ? run.stepRequirements.at(-1) : undefined;
  if (active?.requiresExecutorInput === true) for (const call of active.executorRequirements) call.confirm();
  else active?.confirm();
}

function spinUntil(goAt: number | undefined): void {
  while (goAt !== undefined && Date.now() < goAt) {
    // Spin rather than sleep: timers are too coarse to line two processes up on the claim.
  }
}

function failure(error: unknown): NonNullable<Reply["error"]> {
  const failed = error instanceof Error ? error : new Error(String(error));
  const status = "status" in failed && typeof failed.status === "string" ? failed.status : null;
  return { name: failed.name, message: failed.message, status };
}

async function handle(command: Command): Promise<Reply> {
  const reply: Reply = { pid: process.pid, loaded: null, run: null, error: null };
  // A fresh workflow (and a fresh scripted model) per command: nothing is carried over in memory.
  const db = await storeFor(command.store);
  const { workflow } = build({ db, logFile: command.logFile });
  switch (command.op) {
    case "warm":
      await db.listRuns({ limit: 1 });
      return reply;
    case "start":
      reply.run = summarize(await workflow.run(input));
      return reply;
    case "resolve": {
      const loaded = await workflow.getRunOutput(command.runId, command.sessionId);
      reply.loaded = summarize(loaded);
      approveActive(loaded);
      // Requirement JSON, as another process (an HTTP client, say) would send it.
      const stepRequirements = loaded.stepRequirements.map((requirement) => requirement.toJSON());
      spinUntil(command.goAt);
      try {
        reply.run = summarize(
          await workflow.continueRun({ runId: command.runId, sessionId: command.sessionId, stepRequirements }),
        );
      } catch (error) {
        reply.error = failure(error);
      }
      return reply;
    }
    default: {
      const unknownCommand: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknownCommand)}`);
    }
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  let reply: Reply;
  try {
    reply = await handle(commandSchema.parse(JSON.parse(line)));
  } catch (error) {
    reply = { pid: process.pid, loaded: null, run: null, error: failure(error) };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
for (const db of stores.values()) await (await db).close();
