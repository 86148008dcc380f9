// One OS process of scenario 11. It reads one JSON command per stdin line and answers each with one
// JSON line on stdout. Every command names its store (SQLite file or Postgres schema) and the log
// file side effects are appended to:
//
// - `{"op":"warm"}` opens the store (and applies migrations).
// - `{"op":"start"}` runs the workflow until its branches pause.
// - `{"op":"resolve","runId","sessionId","stepName","decision","goAt"?}` builds the workflow from
//   scratch, loads the run by id, approves or rejects the requirement of branch `stepName` (a
//   step gate, or every tool call of an executor pause), then (after spinning until `goAt`, when
//   given, so that two processes continue at the same moment) continues it with those decisions
//   as data, by requirement id, as an HTTP client would.
import { createInterface } from "node:readline";
import type { Db } from "kern";
import type { DecisionInput, WorkflowRunOutput } from "kern/workflow";
import { z } from "zod";
import {
  build,
  input,
  openStore,
  type Reply,
  type RunSummary,
  recordTo,
  type StoreConfig,
} from "./11_parallel_branches.js";

const targetSchema = z.object({
  store: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("sqlite"), dbFile: z.string() }),
    z.object({ kind: z.literal("postgres"), dbUrl: z.string(), schema: z.string() }),
  ]),
  logFile: z.string(),
  onBranchReject: z.enum(["continue", "cancelPending"]).optional(),
});
const commandSchema = z.discriminatedUnion("op", [
  targetSchema.extend({ op: z.literal("warm") }),
  targetSchema.extend({ op: z.literal("start") }),
  targetSchema.extend({
    op: z.literal("resolve"),
    runId: z.string(),
    sessionId: z.string(),
    stepName: z.string(),
    decision: z.enum(["approve", "reject"]),
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
  return {
    runId: run.runId,
    sessionId: run.sessionId,
    status: run.status,
    active: run.activeStepRequirements.map((requirement) => ({
      kind: requirement.kind,
      path: [...requirement.path],
      calls: requirement.executorRequirements.map((call) => ({
        toolName: call.toolExecution.toolName,
        toolArgs: call.toolExecution.toolArgs,
      })),
    })),
    requirementCount: run.stepRequirements.length,
    content: run.content,
  };
}

/** The decisions a person at an inbox would send for branch `stepName`'s requirement. */
function decisionsFor(run: WorkflowRunOutput, stepName: string, verdict: "approve" | "reject"): DecisionInput[] {
  const requirement = run.activeStepRequirements.find((entry) => entry.stepName === stepName);
  if (requirement === undefined) return [];
  const decision =
    verdict === "approve" ? ({ type: "confirm" } as const) : ({ type: "reject", feedback: "Not cleared." } as const);
  return requirement.requiresExecutorInput
    ? requirement.executorRequirements.map((call) => ({ requirementId: call.id, decision }))
    : [{ requirementId: requirement.id, decision }];
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
  const { workflow } = build({
    db,
    record: recordTo(command.logFile),
    ...(command.onBranchReject === undefined ? {} : { onBranchReject: command.onBranchReject }),
  });
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
      const decisions = decisionsFor(loaded, command.stepName, command.decision);
      spinUntil(command.goAt);
      try {
        const ref = { runId: command.runId, sessionId: command.sessionId, decisions };
        reply.run = summarize(await workflow.continueRun(ref));
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
