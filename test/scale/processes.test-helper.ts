// Real processes for the scale-out tests: server replicas and `kern worker` processes (the CLI
// itself, started the way bin/kern.mjs starts it in a clone), each with its own environment.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";

const root = new URL("../../", import.meta.url).pathname;
const cli = join(root, "src/cli/main.ts");
const appModule = join(root, "test/scale/app.test-helper.ts");
const serverScript = join(root, "test/scale/server-process.test-helper.ts");

export const postgresUrl = process.env["KERN_TEST_POSTGRES_URL"] ?? "";

/** A started process: its output, how it ended. */
export class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly lines: string[] = [];
  stderr = "";

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ["--conditions=kern-source", "--import", "tsx", ...args], {
      cwd: root,
      env: { ...process.env, NODE_NO_WARNINGS: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-6000);
    });
    if (this.child.stdout !== null)
      createInterface({ input: this.child.stdout }).on("line", (line) => this.lines.push(line));
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolves with the first output line matching `pattern`, or fails after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((entry) => pattern.test(entry));
      if (line !== undefined) return line;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`process exited before printing ${pattern}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** A fresh schema, queue schema and execution log for one test; `dispose()` removes them. */
export interface ScaleEnv {
  env: NodeJS.ProcessEnv;
  logFile: string;
  schema: string;
  /** Executions logged so far: `<runId or input> <toolCallId or step> <pid>` lines. */
  executions(): string[][];
  dispose(): Promise<void>;
}

export function scaleEnv(extra: NodeJS.ProcessEnv = {}): ScaleEnv {
  const directory = mkdtempSync(join(tmpdir(), "kern-scale-"));
  const logFile = join(directory, "executions.log");
  writeFileSync(logFile, "");
  const schema = `kern_scale_${randomBytes(5).toString("hex")}`;
  return {
    env: { KERN_SCALE_DB_URL: postgresUrl, KERN_SCALE_SCHEMA: schema, KERN_SCALE_LOG: logFile, ...extra },
    logFile,
    schema,
    executions: () =>
      readFileSync(logFile, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.split(" ")),
    dispose: async () => {
      const admin = new pg.Pool({ connectionString: postgresUrl, max: 1 });
      for (const name of [schema, `${schema}_queue`])
        await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
      await admin.end();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A server replica; resolves once it listens, with its URL. */
export async function startServer(scale: ScaleEnv, env: NodeJS.ProcessEnv = {}): Promise<{ proc: Proc; url: string }> {
  const proc = new Proc([serverScript], { ...scale.env, ...env });
  const line = await proc.waitFor(/"ready"/);
  return { proc, url: (JSON.parse(line) as { ready: string }).ready };
}

/** `kern worker --module <app>`; resolves once it takes jobs. */
export async function startWorker(
  scale: ScaleEnv,
  options: { concurrency?: number; deadlineMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Proc> {
  const args = [cli, "worker", "--module", appModule, "--concurrency", String(options.concurrency ?? 4)];
  if (options.deadlineMs !== undefined) args.push("--deadline", String(options.deadlineMs));
  const proc = new Proc(args, { ...scale.env, ...options.env });
  await proc.waitFor(/kern worker: ready/);
  return proc;
}

/** Creates the schema and the queue's tables once, so processes started next never race to migrate. */
export async function prepareSchema(scale: ScaleEnv): Promise<void> {
  const proc = new Proc(
    [
      "--input-type=module",
      "-e",
      "const app = await import(process.env.KERN_SCALE_APP); await app.db.migrate(); await app.queue.start(); await app.queue.close(); await app.db.close();",
    ],
    { ...scale.env, KERN_SCALE_APP: appModule },
  );
  const { code } = await proc.exited;
  if (code !== 0) throw new Error(`preparing the schema failed: ${proc.stderr}`);
}
