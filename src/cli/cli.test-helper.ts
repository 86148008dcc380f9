// Runs the real CLI in a child process, as a user would, with no terminal on stdin.
import { type ExecFileException, execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root (where `npm run demo` runs). */
export const root = fileURLToPath(new URL("../..", import.meta.url));
/** The CLI's entry point in the sources, run under tsx as `npm run demo` does. */
export const main = fileURLToPath(new URL("./main.ts", import.meta.url));
/** The `kern` executable as package.json declares it. */
export const bin = fileURLToPath(new URL("../../bin/kern.mjs", import.meta.url));

/** The environment of a newcomer without an API key (the CLI must run offline). */
export function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: "1", NO_COLOR: "1" };
  delete env["OPENAI_API_KEY"];
  delete env["KERN_MODEL"];
  return env;
}

/** What a CLI process left behind. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `kern <args>` (through bin/kern.mjs when `viaBin`), offline unless `env` says otherwise,
 * with stdin at EOF, bounded by a timeout.
 */
export function kern(
  args: readonly string[],
  options: { viaBin?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const command =
    options.viaBin === true ? [bin, ...args] : ["--conditions=kern-source", "--import", "tsx", main, ...args];
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      command,
      { cwd: root, env: { ...offlineEnv(), ...options.env }, timeout: options.timeoutMs ?? 90_000 },
      (error: ExecFileException | null, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** How often `text` occurs in `haystack`. */
export function count(haystack: string, text: string): number {
  return haystack.split(text).length - 1;
}
