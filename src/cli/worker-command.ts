import type { Agent } from "../agent/index.js";
import type { Db } from "../db/index.js";
import { createWorker, type WorkerOptions, type WorkQueue } from "../worker/index.js";
import { Workflow } from "../workflow/index.js";
import { UsageError } from "./usage-error.js";
import { importUserModule } from "./user-module.js";

export interface WorkerFlags {
  module: string;
  concurrency: string;
  deadline: string;
}

/** What a worker module exports: its store, what it serves, and optionally the queue and settings. */
interface WorkerModule {
  db: Db;
  workflows: Workflow[];
  agents: Agent[];
  queue: WorkQueue | undefined;
  /** `workerOptions`: maintenanceIntervalMs, lostJobAfterMs, eventRetentionMs (see createWorker). */
  settings: Pick<WorkerOptions, "maintenanceIntervalMs" | "lostJobAfterMs" | "eventRetentionMs">;
}

function settingsOf(value: unknown, file: string): WorkerModule["settings"] {
  if (value === undefined) return {};
  const settings: WorkerModule["settings"] = {};
  if (typeof value !== "object" || value === null)
    throw new UsageError(`${file} exports \`workerOptions\` that is not an object.`, 1);
  for (const key of ["maintenanceIntervalMs", "lostJobAfterMs", "eventRetentionMs"] as const) {
    const entry = (value as Record<string, unknown>)[key];
    if (entry === undefined) continue;
    if (typeof entry !== "number") throw new UsageError(`${file}: workerOptions.${key} must be a number of ms.`, 1);
    settings[key] = entry;
  }
  return settings;
}

function isDb(value: unknown): value is Db {
  return typeof value === "object" && value !== null && typeof (value as Partial<Db>).getRun === "function";
}

function listOf<T>(
  value: unknown,
  single: unknown,
  check: (item: unknown) => item is T,
  what: string,
  file: string,
): T[] {
  const list = value === undefined ? (single === undefined ? [] : [single]) : value;
  if (!Array.isArray(list) || !list.every(check))
    throw new UsageError(`${file} exports ${what} that are not kern ${what}; export an array of them.`, 1);
  return list;
}

async function loadWorkerModule(path: string): Promise<WorkerModule> {
  const module = await importUserModule(path);
  if (!isDb(module["db"]))
    throw new UsageError(`${path} must export \`db\`: the PostgresDb its workflows and agents store runs in.`, 1);
  const workflows = listOf(
    module["workflows"],
    module["workflow"],
    (item) => item instanceof Workflow,
    "workflows",
    path,
  );
  const agents = listOf(
    module["agents"],
    module["agent"],
    (item): item is Agent => typeof item === "object" && item !== null && "processQueuedRun" in item,
    "agents",
    path,
  );
  if (workflows.length + agents.length === 0)
    throw new UsageError(
      `${path} exports no \`workflows\` (or \`workflow\`) and no \`agents\`: nothing to work on.`,
      1,
    );
  const settings = settingsOf(module["workerOptions"], path);
  return { db: module["db"], workflows, agents, queue: module["queue"] as WorkQueue | undefined, settings };
}

function count(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new UsageError(`--${flag} must be a whole number; got '${value}'.`);
  return number;
}

/**
 * `kern worker --module <file>`: imports the module, takes jobs from its queue until SIGTERM or
 * SIGINT, then drains (stops taking jobs, waits up to --deadline ms for runs in hand) and exits.
 */
export async function runWorker(flags: WorkerFlags): Promise<number> {
  const concurrency = count("concurrency", flags.concurrency);
  const deadlineMs = count("deadline", flags.deadline);
  const served = await loadWorkerModule(flags.module);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const { db, workflows, agents, queue, settings } = served;
  const worker = createWorker({
    ...settings,
    db,
    workflows,
    agents,
    concurrency,
    log,
    ...(queue === undefined ? {} : { queue }),
  });
  await worker.start();
  const names = [...served.workflows.map((w) => `workflow '${w.id}'`), ...served.agents.map((a) => `agent '${a.id}'`)];
  process.stdout.write(
    `kern worker: ready (pid ${process.pid}), ${concurrency} at a time, serving ${names.join(", ")}\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  process.stdout.write(`kern worker: ${signal}: draining (up to ${deadlineMs} ms)\n`);
  const report = await worker.stop({ deadlineMs });
  const left = report.abandoned.map((run) => `${run.kind} run '${run.runId}'`);
  process.stdout.write(
    `kern worker: stopped; ${report.finished} run(s) finished${left.length === 0 ? "" : `, left to recovery: ${left.join(", ")}`}\n`,
  );
  await served.db.close();
  // Runs left executing hold connections; their leases lapse once this process is gone.
  setTimeout(() => process.exit(process.exitCode ?? 0), 50).unref();
  return 0;
}
