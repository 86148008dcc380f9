import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const childScript = fileURLToPath(new URL("./race-child.test-helper.ts", import.meta.url));

/** A child process running race-child.test-helper.ts, answering one line per command. */
export interface Child {
  process: ChildProcess;
  ask(command: object): Promise<Record<string, unknown>>;
}

/** Starts a child on a store: `["sqlite", dbFile]` or `["postgres", dbUrl, schema]`. */
export function startChild(storeArgs: readonly string[]): Child {
  const child = spawn(process.execPath, ["--conditions=kern-source", "--import", "tsx", childScript, ...storeArgs], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  const { stdin, stdout } = child;
  const waiting: Array<(answer: Record<string, unknown>) => void> = [];
  createInterface({ input: stdout }).on("line", (line) => {
    waiting.shift()?.(JSON.parse(line) as Record<string, unknown>);
  });
  return {
    process: child,
    ask(command) {
      return new Promise((resolve) => {
        waiting.push(resolve);
        stdin.write(`${JSON.stringify(command)}\n`);
      });
    },
  };
}

export async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise((resolve) => child.process.once("exit", resolve));
  child.process.stdin?.end();
  await exited;
}
