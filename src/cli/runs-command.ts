import { intro } from "@clack/prompts";
import type { Db, PendingRequirementRow, RunKind, RunSummary } from "../db/index.js";
import { SqliteDb } from "../db/sqlite/index.js";
import { type Principal, RUN_STATUSES, type RunStatus } from "../runs/index.js";
import type { Workflow } from "../workflow/index.js";
import { moduleWorkflow, SCENARIOS, scenarioWorkflow } from "./catalog.js";
import { drive } from "./drive.js";
import { EventRenderer } from "./render.js";
import { type AnswerFlags, chooseAsker, continueCommand, existingDbFile, finish, modelNotice } from "./session.js";
import { SYMBOL, type Terminal } from "./terminal.js";
import { UsageError } from "./usage-error.js";

/** The options of `kern runs list`. */
export interface ListFlags {
  db: string;
  status?: string;
  /** Only this kind of run (commander has checked the choice); both when absent. */
  kind?: RunKind;
  limit?: string;
}

/** The options of `kern runs continue`. */
export interface ContinueFlags extends AnswerFlags {
  db: string;
  module?: string;
  once?: boolean;
  /** `--as`: the principal id the decisions are made as. */
  as?: string;
  /** `--role`: its roles. */
  role?: string[];
}

/** The actor `--as` and `--role` name; none without `--as` (decisions are then recorded as made by code). */
function actorOf(flags: ContinueFlags): Principal | undefined {
  if (flags.as === undefined) {
    if (flags.role !== undefined)
      throw new UsageError("--role names a role of the --as principal; pass --as <id> too.");
    return undefined;
  }
  if (flags.as.trim() === "") throw new UsageError("--as takes a principal id, e.g. --as alice.");
  return { id: flags.as, roles: flags.role ?? [] };
}

function statusFilter(status: string | undefined): RunStatus | undefined {
  if (status === undefined) return undefined;
  const known = RUN_STATUSES.find((entry) => entry === status);
  if (known === undefined) throw new UsageError(`--status takes one of ${RUN_STATUSES.join(", ")}; got '${status}'.`);
  return known;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function waitingFor(run: RunSummary, pending: readonly PendingRequirementRow[]): string {
  if (run.status !== "paused") return "";
  const mine = pending.filter((row) => row.kind === run.kind && row.runId === run.runId);
  return mine.length === 0 ? "a decision" : mine.map((row) => row.summary).join("; ");
}

function runRow(run: RunSummary, pending: readonly PendingRequirementRow[]): string[] {
  const updated = new Date(run.updatedAt).toISOString().replace("T", " ").slice(0, 19);
  return [run.runId, run.kind, run.ownerId, run.status, updated, run.sessionId.slice(0, 8), waitingFor(run, pending)];
}

async function withDb<T>(dbFile: string, use: (db: Db) => Promise<T>): Promise<T> {
  const db = new SqliteDb({ dbFile: existingDbFile(dbFile) });
  try {
    return await use(db);
  } finally {
    await db.close();
  }
}

/**
 * `kern runs list --db <file> [--status paused] [--kind workflow|agent]`: the stored runs, newest
 * first, workflow and agent runs alike (a step's agent has runs of its own, next to its workflow's).
 */
export async function listRuns(flags: ListFlags, terminal: Terminal): Promise<number> {
  const status = statusFilter(flags.status);
  const limit = flags.limit === undefined ? 50 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new UsageError(`--limit takes a positive whole number; got '${flags.limit ?? ""}'.`);
  return withDb(flags.db, async (db) => {
    const runs = await db.listRuns({
      limit,
      ...(flags.kind === undefined ? {} : { kind: flags.kind }),
      ...(status === undefined ? {} : { status }),
    });
    if (runs.length === 0) {
      const what = [status, flags.kind, "runs"].filter((word) => word !== undefined).join(" ");
      terminal.output.write(`No ${what} in ${flags.db}.\n`);
      return 0;
    }
    const pending = await db.listPendingRequirements({
      limit: 1000,
      ...(flags.kind === undefined ? {} : { kind: flags.kind }),
    });
    const header = ["RUN ID", "KIND", "WORKFLOW / AGENT", "STATUS", "UPDATED", "SESSION", "WAITING FOR"];
    terminal.output.write(`${table([header, ...runs.map((run) => runRow(run, pending))])}\n`);
    const paused = runs.find((run) => run.kind === "workflow" && run.status === "paused");
    if (paused !== undefined)
      terminal.output.write(`\nAnswer a paused workflow run: ${continueCommand(paused.runId, flags.db)}\n`);
    return 0;
  });
}

/** The live definition of a stored run's workflow, and sample answers for its input forms. */
async function workflowFor(
  ownerId: string,
  flags: ContinueFlags,
  db: Db,
): Promise<{ workflow: Workflow; answers: Record<string, unknown> }> {
  if (flags.module !== undefined) {
    const workflow = await moduleWorkflow(flags.module, db);
    if (workflow.id !== ownerId) {
      throw new UsageError(
        `The run belongs to workflow '${ownerId}', but ${flags.module} defines workflow '${workflow.id}'. Pass the module that defines '${ownerId}'.`,
        1,
      );
    }
    return { workflow, answers: {} };
  }
  const { match, problems } = await scenarioWorkflow(ownerId, db);
  if (match !== null) return { workflow: match.workflow, answers: match.scenario.answers ?? {} };
  const failed = problems.length === 0 ? "" : `\n(These scenario modules failed to load: ${problems.join("; ")})`;
  throw new UsageError(
    `Workflow '${ownerId}' is not one of the demo scenarios (${SCENARIOS.map((entry) => entry.name).join(", ")}). ` +
      `Pass --module <file> naming a module that exports \`workflow\` or \`build({ db })\`.${failed}`,
    1,
  );
}

/** Why `runId` cannot be continued here: it is an agent's run, or no run at all. */
async function notAWorkflowRun(runId: string, dbFile: string, db: Db): Promise<UsageError> {
  const agentRun = await db.getRun("agent", runId);
  if (agentRun === null)
    return new UsageError(`No workflow run '${runId}' in ${dbFile}. List them: npx kern runs list --db ${dbFile}`, 1);
  return new UsageError(
    `Run ${runId} is a run of agent '${agentRun.ownerId}', not of a workflow; kern runs continue answers workflow runs. ` +
      `If a workflow step started it, continue that workflow's run (kern runs list --db ${dbFile} --kind workflow); ` +
      `otherwise continue it in code with agent.continueRun().`,
    1,
  );
}

/** `kern runs continue <runId> --db <file>`: answers a run another process left paused, and finishes it. */
export async function continueRun(runId: string, flags: ContinueFlags, terminal: Terminal): Promise<number> {
  return withDb(flags.db, async (db) => {
    const record = await db.getRun("workflow", runId);
    if (record === null) throw await notAWorkflowRun(runId, flags.db, db);
    if (record.status !== "paused")
      throw new UsageError(`Run ${runId} is ${record.status}; only a paused run can be continued.`, 1);
    const hint = `npx kern runs continue ${runId} --db ${flags.db}`;
    chooseAsker(flags, {}, hint); // refuses a missing terminal before anything loads
    const notice = modelNotice(flags); // before the workflow is built: it applies --model
    const { workflow, answers } = await workflowFor(record.ownerId, flags, db);
    const asker = chooseAsker(flags, answers, hint);
    intro(`kern runs continue · ${record.ownerId} · run ${runId}`, { output: terminal.output });
    terminal.line(SYMBOL.info, notice, "cyan");
    const run = await workflow.getRunOutput(runId, record.sessionId);
    const renderer = new EventRenderer(terminal);
    const actor = actorOf(flags);
    const result = await drive(run, {
      workflow,
      ...(actor === undefined ? {} : { actor }),
      asker,
      terminal,
      renderer,
      ...(flags.once === true ? { maxPauses: 1 } : {}),
    });
    return finish(result, renderer.toolRuns, flags.db, terminal);
  });
}
