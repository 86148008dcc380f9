import { Agent } from "../agent/index.js";
import type { Db, RunKind } from "../db/index.js";
import type { RunJob, RunQueue, SkippedRun } from "../runs/index.js";
import type { Workflow } from "../workflow/index.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const PENDING_PAGE = 500;
const RETENTION_ROUNDS = 10;

export interface MaintenanceOptions {
  db: Db;
  owners: ReadonlyArray<Workflow | Agent>;
  queue: RunQueue;
  log: (line: string) => void;
  maintenanceIntervalMs?: number;
  lostJobAfterMs?: number;
  eventRetentionMs?: number;
}

export interface Maintenance {
  /** Stops the pass and waits for one in progress. */
  stop(): Promise<void>;
}

type Ring = (kind: RunKind, ownerId: string, run: Ref) => Promise<void>;

/** The runs recover() made continuable that need no person: each gets a doorbell. */
async function recoverAll(owner: Workflow | Agent, ring: Ring, log: (line: string) => void): Promise<void> {
  const ready: Array<[RunKind, Ref]> = [];
  if (owner instanceof Agent) {
    const recovery = await owner.recover();
    for (const row of recovery.skipped) log(skippedLine(row));
    // A workflow's agent run goes on when its workflow run does.
    for (const run of recovery.agentRuns)
      if (!run.needsDecision && run.parentRunId === null) ready.push(["agent", run]);
  } else {
    const recovery = await owner.recover();
    for (const row of recovery.skipped) log(skippedLine(row));
    for (const run of recovery.workflowRuns) if (!run.needsDecision) ready.push(["workflow", run]);
  }
  for (const [kind, run] of ready) await ring(kind, owner.id, run);
}

function skippedLine(row: SkippedRun): string {
  return `kern/worker: recovery left ${row.kind} run '${row.runId}' as it is (${row.code}): ${row.reason}`;
}

interface Ref {
  runId: string;
  sessionId: string;
}

/** Rings again for this owner's runs that waited `pending` longer than `lostAfterMs` (a lost doorbell). */
async function ringLostJobs(owner: Workflow | Agent, lostAfterMs: number, ring: Ring): Promise<void> {
  const kind: RunKind = owner instanceof Agent ? "agent" : "workflow";
  const before = Date.now() - lostAfterMs;
  const pending = await owner.db.listRuns({ kind, ownerId: owner.id, status: "pending", limit: PENDING_PAGE });
  for (const run of pending) if (run.updatedAt <= before) await ring(kind, owner.id, run);
}

/**
 * The worker's periodic pass, one at a time: recover() for every owner (so a worker killed
 * mid-run never strands it), a new doorbell for runs left pending too long, event retention. Every
 * step is safe from any number of workers at once: recovery and claims are compare-and-sets, and
 * a doorbell for a run already taken does nothing.
 */
export function maintain(options: MaintenanceOptions): Maintenance {
  const intervalMs = options.maintenanceIntervalMs ?? 10_000;
  if (intervalMs <= 0) return { stop: async () => undefined };
  const lostAfterMs = options.lostJobAfterMs ?? 60_000;
  const retentionMs = options.eventRetentionMs ?? 7 * DAY_MS;
  const { log, queue } = options;
  const ring: Ring = (kind, ownerId, run) =>
    queue.send({ kind, ownerId, runId: run.runId, sessionId: run.sessionId } satisfies RunJob);
  const step = async (what: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      log(`kern/worker: ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const pass = async (): Promise<void> => {
    for (const owner of options.owners) {
      await step(`recovering runs of '${owner.id}'`, () => recoverAll(owner, ring, log));
      await step(`ringing for pending runs of '${owner.id}'`, () => ringLostJobs(owner, lostAfterMs, ring));
    }
    if (retentionMs > 0)
      await step("event retention", async () => {
        for (let round = 0; round < RETENTION_ROUNDS; round += 1)
          if ((await options.db.deleteRunEvents(Date.now() - retentionMs)) < 1000) return;
      });
  };
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= pass().finally(() => {
      running = undefined;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
