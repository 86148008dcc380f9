// Scenario 11: gates inside Parallel branches. A Parallel of three branches runs concurrently:
// legal_review waits for a person (a step gate), announce's agent waits for approval of its tool
// call (a tool gate), inventory has no gate and finishes at once. The two pauses are resolved in
// the opposite order to the one they are listed in, each by another OS process that builds the
// workflow from scratch and loads the run by id from the shared store.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/11_parallel_branches.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.
//
// Every side effect appends "<pid> <what>" to a log file all processes share: that is how the
// tests count executions across processes.
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
import { type OnBranchReject, Parallel, Step, Workflow } from "kern/workflow";
import { z } from "zod";
import { isMain, lastToolResult, modelFor } from "./shared.js";

export const input = "Launch Kern 1.0 today";

/** Where the processes share their runs. */
export type StoreConfig = { kind: "sqlite"; dbFile: string } | { kind: "postgres"; dbUrl: string; schema: string };

/** Opens the store; Postgres is imported only when asked for, so SQLite users never load `pg`. */
export async function openStore(config: StoreConfig): Promise<Db> {
  if (config.kind === "sqlite") return new SqliteDb({ dbFile: config.dbFile });
  const { PostgresDb } = await import("kern/db/postgres");
  return new PostgresDb({ dbUrl: config.dbUrl, schema: config.schema });
}

/** The announcer's part, for whichever process drives it: post, then say what happened. */
const respond: FakeScript = (request) => {
  const result = lastToolResult(request);
  if (result === null) return toolCall("post_announcement", { channel: "#launch", text: "Kern 1.0 ships today." });
  return text(
    result.startsWith("Posted")
      ? "Announcement posted to #launch."
      : "I did not post the announcement: the call was rejected.",
  );
};
/** Enough turns for many runs in one process (each run asks twice). */
export const script: FakeScript[] = Array.from({ length: 64 }, () => respond);

/**
 * The workflow: Parallel "launch_checks" (legal_review gated, announce with a gated tool,
 * inventory ungated), then launch_report. `record(what)` is called once per real side effect.
 */
export function build(options: {
  db: Db;
  record: (what: string) => void;
  onBranchReject?: OnBranchReject;
  script?: FakeScript[];
}): { workflow: Workflow; model: Model } {
  const { record } = options;
  const model = modelFor(options.script ?? script);
  const postAnnouncement = tool({
    name: "post_announcement",
    description: "Post an announcement to a chat channel.",
    parameters: z.object({ channel: z.string(), text: z.string() }),
    requiresConfirmation: true,
    execute: ({ channel, text: message }) => {
      record(`post_announcement ${channel}`);
      return `Posted to ${channel}: ${message}`;
    },
  });
  const announcer = new Agent({
    name: "Announcer",
    instructions: "You announce launches with the post_announcement tool (channel #launch), then say what you did.",
    model,
    tools: [postAnnouncement],
    db: options.db,
  });
  const checks = new Parallel({
    name: "launch_checks",
    ...(options.onBranchReject === undefined ? {} : { onBranchReject: options.onBranchReject }),
    steps: [
      new Step({
        name: "legal_review",
        requiresConfirmation: true,
        confirmationMessage: "Legal: may the launch be announced?",
        executor: () => {
          record("legal_review");
          return "Legal: cleared.";
        },
      }),
      new Step({ name: "announce", agent: announcer }),
      new Step({
        name: "inventory",
        executor: () => {
          record("inventory");
          return "Inventory: 120 units ready.";
        },
      }),
    ],
  });
  const workflow = new Workflow({
    name: "LaunchChecks",
    db: options.db,
    steps: [
      checks,
      new Step({
        name: "launch_report",
        executor: (step) => `Launch report:\n${step.previousStepContent ?? "nothing to report"}`,
      }),
    ],
  });
  return { workflow, model };
}

/** Appends "<pid> <what>" to `logFile`: the record of a process's side effects. */
export function recordTo(logFile: string): (what: string) => void {
  return (what) => appendFileSync(logFile, `${process.pid} ${what}\n`);
}

/** Lines appended to the log, one per real side effect, from every process. */
export function loggedEffects(logFile: string): string[] {
  return existsSync(logFile)
    ? readFileSync(logFile, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : [];
}

const activeSchema = z.object({
  kind: z.string(),
  path: z.array(z.string()),
  calls: z.array(z.object({ toolName: z.string(), toolArgs: z.record(z.string(), z.unknown()) })),
});
export const runSummarySchema = z.object({
  runId: z.string(),
  sessionId: z.string(),
  status: z.string(),
  /** The requirements waiting now, one per paused branch, in order. */
  active: z.array(activeSchema),
  requirementCount: z.number(),
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

/** Which store a command works on, and the log its side effects are appended to. */
export interface Target {
  store: StoreConfig;
  logFile: string;
  onBranchReject?: OnBranchReject;
}

/** Start a run; or load one, decide the requirement of branch `stepName`, and continue it. */
export type Command = Target &
  (
    | { op: "warm" }
    | { op: "start" }
    | {
        op: "resolve";
        runId: string;
        sessionId: string;
        stepName: string;
        decision: "approve" | "reject";
        goAt?: number;
      }
  );

const childScript = new URL("./11_parallel_branches_child.ts", import.meta.url).pathname;

/** A long-lived child process answering one JSON command per line (see the child script). */
export class BranchWorker {
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

  /** Ends the worker; kills it if it has not exited within two seconds. */
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
  if (reply.error !== null) return `process ${reply.pid}: ${reply.error.name}`;
  const run = reply.run;
  if (run === null) return `process ${reply.pid}: no run`;
  if (run.status !== "paused") return `process ${reply.pid}: ${run.status}:\n${run.content ?? ""}`;
  const waiting = run.active.map((entry) => `${entry.path.join(" / ")} (${entry.kind})`);
  return `process ${reply.pid}: paused, waiting for ${waiting.join(" and ")}`;
}

if (isMain(import.meta.url)) {
  const directory = mkdtempSync(join(tmpdir(), "kern-scenario-11-"));
  const target: Target = {
    store: { kind: "sqlite", dbFile: join(directory, "workflow.db") },
    logFile: join(directory, "effects.log"),
  };
  const workers = [new BranchWorker(), new BranchWorker(), new BranchWorker()] as const;
  try {
    const started = await workers[0].send({ ...target, op: "start" });
    console.log(describeReply(started));
    const ids = { runId: started.run?.runId ?? "", sessionId: started.run?.sessionId ?? "" };
    const resolve = { ...target, op: "resolve", ...ids, decision: "approve" } as const;
    console.log(describeReply(await workers[1].send({ ...resolve, stepName: "announce" })), "(tool approved here)");
    console.log(
      describeReply(await workers[2].send({ ...resolve, stepName: "legal_review" })),
      "(legal approved here)",
    );
    console.log(`side effects: ${loggedEffects(target.logFile).join("; ")}`);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    rmSync(directory, { recursive: true, force: true });
  }
}
