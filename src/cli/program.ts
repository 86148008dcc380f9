import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { KernError } from "../errors.js";
import { requirePeers } from "../optional-peers.js";
import type { DemoFlags } from "./demo-command.js";
import type { ContinueFlags, ListFlags } from "./runs-command.js";
import { Terminal } from "./terminal.js";
import { UsageError } from "./usage-error.js";
import type { WorkerFlags } from "./worker-command.js";

// Each command's module is loaded when the command runs, so `kern --help`, `kern demo --list` and
// a refusal for a missing terminal answer quickly. Every command stores runs in SQLite, whose
// driver is an optional peer of kern: it is checked first, so a missing one is a clear error.

/** Where the demo stores its runs unless `--db` says otherwise; shared, so `runs continue` finds them. */
export const DEFAULT_DEMO_DB = join(tmpdir(), "kern-demo.db");

/** kern's version. The package reads its own package.json by name, from src/cli/ and from the bundle alike. */
export function kernVersion(): string {
  const manifest: unknown = createRequire(import.meta.url)("kern/package.json");
  const version =
    typeof manifest === "object" && manifest !== null ? (manifest as { version?: unknown }).version : undefined;
  return typeof version === "string" ? version : "unknown";
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The options that answer pauses, shared by `demo` and `runs continue`. */
function answerOptions(command: Command): Command {
  return command
    .addOption(new Option("--approve", "approve every pause; no terminal needed").conflicts("reject"))
    .addOption(new Option("--reject", "reject every pause; no terminal needed").conflicts("approve"))
    .option("--set <name=value>", "a value for an input form when answering with --approve (repeatable)", collect)
    .option("--model <id>", "the OpenAI model, when OPENAI_API_KEY is set (default gpt-5.4)");
}

/**
 * The `kern` command line: `kern demo`, `kern runs list`, `kern runs continue`. `exit` receives
 * the exit code of the command that ran.
 */
export function buildProgram(terminal: Terminal, exit: (code: number) => void): Command {
  const program = new Command("kern")
    .description("Run kern workflows in the terminal and answer their pauses.")
    .version(kernVersion(), "-V, --version", "print kern's version")
    .showHelpAfterError("(kern --help shows the commands)")
    .exitOverride(); // commander's own errors (already printed) come back to runCli as CommanderError

  answerOptions(
    program
      .command("demo")
      .description(
        "run a conformance scenario in the terminal, asking you at each pause (default: the seed, step-confirmation)",
      )
      .argument("[scenario]", "a name or number from kern demo --list"),
  )
    .option("--list", "list the scenarios")
    .option("--db <file>", "the SQLite file runs are stored in", DEFAULT_DEMO_DB)
    .option("--input <text>", "the workflow's input (default: the scenario's own)")
    .option("--detach", "stop at the first pause without answering; answer later with kern runs continue")
    .action(async (name: string | undefined, flags: DemoFlags) => {
      if (flags.list !== true) requirePeers("kern demo", ["better-sqlite3"]);
      exit(await (await import("./demo-command.js")).runDemo(name, flags, terminal));
    });

  const runs = program
    .command("runs")
    .description("list stored runs, and answer a workflow run another process left paused");
  runs
    .command("list")
    .description("list the workflow and agent runs stored in a SQLite file, newest first")
    .requiredOption("--db <file>", "the SQLite file")
    .option("--status <status>", "only runs with this status, e.g. paused")
    .addOption(new Option("--kind <kind>", "only workflow runs or only agent runs").choices(["workflow", "agent"]))
    .option("--limit <n>", "at most this many runs", "50")
    .action(async (flags: ListFlags) => {
      requirePeers("kern runs list", ["better-sqlite3"]);
      exit(await (await import("./runs-command.js")).listRuns(flags, terminal));
    });
  answerOptions(
    runs
      .command("continue")
      .description("answer the pauses of a stored run and finish it, whichever process started it")
      .argument("<runId>", "the run's id (kern runs list)")
      .requiredOption("--db <file>", "the SQLite file the run is stored in")
      .option(
        "--module <file>",
        "a module exporting the run's `workflow` (or `build({ db })`), when it is not a demo scenario",
      )
      .option("--once", "answer only the pause the run waits at now, and leave it paused at the next one")
      .option("--as <id>", "decide as this principal id (recorded as decidedBy; checked against each gate's approvers)")
      .option("--role <role>", "a role of the --as principal (repeatable)", collect),
  ).action(async (runId: string, flags: ContinueFlags) => {
    requirePeers("kern runs continue", ["better-sqlite3"]);
    exit(await (await import("./runs-command.js")).continueRun(runId, flags, terminal));
  });
  program
    .command("worker")
    .description(
      "execute queued runs (enqueueRun, enqueueContinue, background HTTP) until SIGTERM or SIGINT, then drain",
    )
    .requiredOption(
      "--module <file>",
      "a module exporting `db` and `workflows` (or `workflow`) and/or `agents`, each with a PgBossQueue `queue`",
    )
    .option("--concurrency <n>", "runs executed at once", "4")
    .option(
      "--deadline <ms>",
      "on SIGTERM, how long runs in hand may take to pause or end before the worker exits",
      "30000",
    )
    .action(async (flags: WorkerFlags) => {
      requirePeers("kern worker", ["pg-boss", "pg"]);
      exit(await (await import("./worker-command.js")).runWorker(flags));
    });
  return program;
}

/**
 * A reader that stops early (`kern runs list | head -1`) closes the pipe; writing to it then fails
 * with EPIPE, which would crash the process with a stack trace. The command instead finishes its
 * work (a run it drives still ends properly and is stored), writing nowhere.
 */
function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}

/** Runs the CLI with `argv` (as in process.argv) and returns the exit code; errors are printed plainly. */
export async function runCli(argv: readonly string[]): Promise<number> {
  ignoreClosedPipe(process.stdout);
  const terminal = new Terminal(process.stdout);
  let code = 0;
  const program = buildProgram(terminal, (exitCode) => {
    code = exitCode;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (error) {
    terminal.endOpenLine();
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      process.stderr.write(`kern: ${error.message}\n`);
      return error.exitCode;
    }
    // A failed run was stored as `error` and its WorkflowError event already printed.
    if (error instanceof KernError) {
      process.stderr.write(`kern: ${error.name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
