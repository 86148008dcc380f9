// What the `demo` and `runs continue` commands share: choosing who answers the pauses, the
// one-line model notice, and the closing summary.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { outro } from "@clack/prompts";
import type { PauseAsker } from "./decision.js";
import type { DriveResult } from "./drive.js";
import { flagAsker } from "./flag-asker.js";
import { parseAssignments } from "./form.js";
import { promptAsker } from "./prompt-asker.js";
import type { ToolCounts } from "./render.js";
import type { Terminal } from "./terminal.js";
import { UsageError } from "./usage-error.js";

/** The options that decide who answers the pauses. */
export interface AnswerFlags {
  approve?: boolean;
  reject?: boolean;
  set?: string[];
  model?: string;
}

/**
 * The prompts on a terminal, or the flags. Checked before anything runs: without a terminal and
 * without a flag, prompting would hang (or die with exit 13), so this refuses with exit code 2.
 */
export function chooseAsker(flags: AnswerFlags, defaults: Readonly<Record<string, unknown>>, hint: string): PauseAsker {
  if (flags.approve === true && flags.reject === true)
    throw new UsageError("Pass either --approve or --reject, not both.");
  const values = parseAssignments(flags.set ?? []);
  if (flags.approve === true) return flagAsker({ mode: "approve", values, defaults });
  if (flags.reject === true) return flagAsker({ mode: "reject", values, defaults });
  if (process.stdin.isTTY !== true) {
    throw new UsageError(
      `kern asks you at each pause, but stdin is not a terminal, so nobody could answer.\n` +
        `Pass --approve or --reject to answer every pause without a terminal, e.g.\n  ${hint} --approve`,
    );
  }
  return promptAsker();
}

/** Applies `--model`, and says in one line which model answers. */
export function modelNotice(flags: AnswerFlags): string {
  if (process.env["OPENAI_API_KEY"] === undefined) {
    return `No OPENAI_API_KEY: running offline on a scripted model${flags.model === undefined ? "" : ` (--model ${flags.model} is ignored)`}.`;
  }
  if (flags.model !== undefined) process.env["KERN_MODEL"] = flags.model;
  return `OPENAI_API_KEY is set: using OpenAIResponses (${process.env["KERN_MODEL"] ?? "gpt-5.4"}).`;
}

/** Refuses a database file that does not exist (opening it would silently create an empty one). */
export function existingDbFile(dbFile: string): string {
  if (!existsSync(dbFile))
    throw new UsageError(`No database at ${dbFile}. Pass the file the run was stored in (--db <file>).`, 1);
  return dbFile;
}

/** The command that continues a run left paused (in this directory, from any terminal). */
export function continueCommand(runId: string, dbFile: string): string {
  return `npx kern runs continue ${runId} --db ${resolve(dbFile)}`;
}

function toolSummary(counts: ToolCounts): string {
  const entries = [...counts.entries()].map(([name, count]) => `${name} ×${count}`);
  return entries.length === 0 ? "no tool ran" : `tools run: ${entries.join(", ")}`;
}

/** Prints how the run ended here and returns the exit code. */
export function finish(result: DriveResult, toolRuns: ToolCounts, dbFile: string, terminal: Terminal): number {
  const { run } = result;
  const pauses = `${result.pauses} ${result.pauses === 1 ? "pause" : "pauses"} answered`;
  if (result.leftPaused) {
    const answered = result.pauses === 0 ? "" : ` (${pauses})`;
    outro(
      `Left paused${answered}. Continue it later from any terminal, in this directory:\n   ${terminal.paint("bold", continueCommand(run.runId, dbFile))}`,
      { output: terminal.output },
    );
    return 0;
  }
  const status =
    run.status === "completed" ? terminal.paint("green", run.status) : terminal.paint("yellow", run.status);
  outro(`${status} · ${pauses} · ${toolSummary(toolRuns)}`, { output: terminal.output });
  return run.status === "error" ? 1 : 0;
}
