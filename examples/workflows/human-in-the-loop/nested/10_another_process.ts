// Scenario 10: scenario 1 with every pause resolved by another OS process, which builds the workflow
// from scratch and loads the run by id from the shared store; then two processes race to continue
// the same paused run, and exactly one of them runs the approved tool.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/10_another_process.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.
//
// Scenario 1's build() counts tool executions in an array of its own process, so this file defines
// the same workflow with a tool that appends one line per execution to a log file, which every
// process shares: that is how the tests count executions across processes.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Db, Model } from "kern";
import { Agent } from "kern/agent";
import { SqliteDb } from "kern/db/sqlite";
import { type FakeScript, text, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Step, Workflow } from "kern/workflow";
import { z } from "zod";
import { isMain, lastToolResult, modelFor } from "./shared.js";

export const input = "Send a weather alert for Tokyo about heavy rain";

/** Where the processes share their runs. */
export type StoreConfig = { kind: "sqlite"; dbFile: string } | { kind: "postgres"; dbUrl: string; schema: string };

/** Opens the store; Postgres is imported only when asked for, so SQLite users never load `pg`. */
export async function openStore(config: StoreConfig): Promise<Db> {
  if (config.kind === "sqlite") return new SqliteDb({ dbFile: config.dbFile });
  const { PostgresDb } = await import("kern/db/postgres");
  return new PostgresDb({ dbUrl: config.dbUrl, schema: config.schema });
}

/** The scripted model's part, for whichever pause this process resolves: call the tool, or report what it did. */
const respond: FakeScript = (request) => {
  const result = lastToolResult(request);
  if (result === null) return toolCall("send_alert", { city: "Tokyo", message: "Heavy rain expected tonight." });
  return text(
    result.startsWith("Alert sent")
      ? `Alert sent for Tokyo by process ${process.pid}.`
      : `I did not send the alert (process ${process.pid}): the call was rejected.`,
  );
};
export const script: FakeScript[] = [respond, respond];

/** Scenario 1's workflow; each send_alert execution appends "<pid> <city>" to `logFile`. */
export function build(options: { db: Db; logFile: string; script?: FakeScript[] }): {
  workflow: Workflow;
  model: Model;
} {
  const model = modelFor(options.script ?? script);
  const sendAlert = tool({
    name: "send_alert",
    description: "Send a weather alert for a city.",
    parameters: z.object({ city: z.string(), message: z.string() }),
    requiresConfirmation: true,
    execute: ({ city, message }) => {
      appendFileSync(options.logFile, `${process.pid} ${city}\n`);
      return `Alert sent for ${city}: ${message}`;
    },
  });
  const alertAgent = new Agent({
    name: "AlertAgent",
    instructions: "You send weather alerts with the send_alert tool, then say what you did in one sentence.",
    model,
    tools: [sendAlert],
    db: options.db,
  });
  const workflow = new Workflow({
    name: "DualConfirmation",
    db: options.db,
    steps: [
      new Step({
        name: "send_alert",
        agent: alertAgent,
        requiresConfirmation: true,
        confirmationMessage: "Proceed with sending the alert?",
      }),
      new Step({ name: "log", executor: (step) => `Logged: ${step.previousStepContent ?? "nothing was sent"}` }),
    ],
  });
  return { workflow, model };
}

/** Lines the tool appended, one per real execution, from every process. */
export function loggedExecutions(logFile: string): string[] {
  return existsSync(logFile)
    ? readFileSync(logFile, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : [];
}

export const runSummarySchema = z.object({
  runId: z.string(),
  sessionId: z.string(),
  status: z.string(),
  pauseKind: z.enum(["step", "executor"]).nullable(),
  pausedStepName: z.string().nullable(),
  requirementCount: z.number(),
  /** The active entry's tool calls (executor pauses only). */
  calls: z.array(z.object({ toolName: z.string(), toolArgs: z.record(z.string(), z.unknown()) })),
  content: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** A child's answer: the run as it loaded it, the run after its call, or the error that call threw. */
export const replySchema = z.object({
  pid: z.number(),
  loaded: runSummarySchema.nullable(),
  run: runSummarySchema.nullable(),
  error: z.object({ name: z.string(), message: z.string(), status: z.string().nullable() }).nullable(),
});
export type Reply = z.infer<typeof replySchema>;

/** Which store a command works on, and the log file its tool executions are appended to. */
export interface Target {
  store: StoreConfig;
  logFile: string;
}

/** What a child does: open the store, start a run, or load a run, approve its active pause and continue it. */
export type Command = Target &
  ({ op: "warm" } | { op: "start" } | { op: "resolve"; runId: string; sessionId: string; goAt?: number });

const childScript = new URL("./10_another_process_child.ts", import.meta.url).pathname;

/**
 * A long-lived child process answering one JSON command per line (see the child script). Starting
 * one costs about a second (tsx), so the tests start a few and send each many commands; every
 * command still builds the workflow from scratch and loads the run from the store.
 */
export class ProcessWorker {
  readonly #process: ChildProcessWithoutNullStreams;
  readonly #waiting: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];

  constructor() {
    this.#process = spawn(process.execPath, ["--conditions=kern-source", "--import", "tsx", childScript], {
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    this.#process.stderr.pipe(process.stderr);
    createInterface({ input: this.#process.stdout }).on("line", (line) => {
      const waiter = this.#waiting.shift();
      try {
        waiter?.resolve(replySchema.parse(JSON.parse(line)));
      } catch (error) {
        waiter?.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    // A child that dies must fail the test that waits on it, not hang it.
    this.#process.once("exit", (code, signal) => {
      for (const waiter of this.#waiting.splice(0))
        waiter.reject(new Error(`worker ${this.pid} exited (${signal ?? code}) before answering`));
    });
  }

  get pid(): number {
    return this.#process.pid ?? -1;
  }

  send(command: Command): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#process.stdin.write(`${JSON.stringify(command)}\n`);
    });
  }

  /** Ends the worker; kills it if it has not exited within two seconds. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#process.exitCode !== null || this.#process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#process.once("exit", resolve));
    this.#process.stdin.end();
    const timer = setTimeout(() => this.#process.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
  }
}

function describeReply(reply: Reply): string {
  if (reply.error !== null)
    return `process ${reply.pid}: ${reply.error.name}${reply.error.status === null ? "" : ` (run was ${reply.error.status})`}`;
  const run = reply.run;
  if (run === null) return `process ${reply.pid}: no run`;
  if (run.pauseKind === "executor")
    return `process ${reply.pid}: paused, the agent wants to call ${run.calls.map((call) => `${call.toolName}(${JSON.stringify(call.toolArgs)})`).join(", ")}`;
  if (run.pauseKind === "step") return `process ${reply.pid}: paused before step '${run.pausedStepName ?? ""}'`;
  return `process ${reply.pid}: ${run.status}: ${run.content ?? ""}`;
}

if (isMain(import.meta.url)) {
  const directory = mkdtempSync(join(tmpdir(), "kern-scenario-10-"));
  const target: Target = {
    store: { kind: "sqlite", dbFile: join(directory, "workflow.db") },
    logFile: join(directory, "executions.log"),
  };
  const workers = [0, 1, 2].map(() => new ProcessWorker());
  const [first, second, third] = workers as [ProcessWorker, ProcessWorker, ProcessWorker];
  try {
    const started = await first.send({ ...target, op: "start" });
    console.log(describeReply(started));
    const ids = { runId: started.run?.runId ?? "", sessionId: started.run?.sessionId ?? "" };
    console.log(
      describeReply(await second.send({ ...target, op: "resolve", ...ids })),
      "(step approved by this process)",
    );
    console.log(
      describeReply(await third.send({ ...target, op: "resolve", ...ids })),
      "(tool approved by this process)",
    );
    console.log(`tool executions: ${loggedExecutions(target.logFile).join("; ")}`);

    console.log("\nRace: two processes continue the same approved pause at the same moment.");
    const raced = await first.send({ ...target, op: "start" });
    const raceIds = { runId: raced.run?.runId ?? "", sessionId: raced.run?.sessionId ?? "" };
    await first.send({ ...target, op: "resolve", ...raceIds });
    const goAt = Date.now() + 100;
    const replies = await Promise.all(
      [second, third].map((worker) => worker.send({ ...target, op: "resolve", ...raceIds, goAt })),
    );
    for (const reply of replies) console.log(describeReply(reply));
    console.log(`tool executions: ${loggedExecutions(target.logFile).join("; ")}`);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    rmSync(directory, { recursive: true, force: true });
  }
}
