import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";

const childScript = new URL("./agent-process-child.test-helper.ts", import.meta.url).pathname;

/** A long-lived child process serving agent commands as JSON lines (see the child script). */
export class AgentWorker {
  readonly #process: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #waiting: Array<(line: string) => void> = [];

  constructor(dbFile: string, logFile: string) {
    this.#process = spawn(
      process.execPath,
      ["--conditions=kern-source", "--import", "tsx", childScript, dbFile, logFile],
      {
        env: { ...process.env, NODE_NO_WARNINGS: "1" },
      },
    );
    this.#process.stderr.pipe(process.stderr);
    this.#lines = createInterface({ input: this.#process.stdout });
    this.#lines.on("line", (line) => this.#waiting.shift()?.(line));
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  send(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.#waiting.push((line) => resolve(JSON.parse(line) as Record<string, unknown>));
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

/** Lines the test tools appended, one per real execution. */
export function loggedExecutions(logFile: string): string[] {
  return existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").filter(Boolean) : [];
}
