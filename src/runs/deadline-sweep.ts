import type { Db, DecisionRecord, RunKind } from "../db/index.js";
import { RunAlreadyClaimedError, RunNotPausedError, UnresolvedRequirementError } from "../errors.js";
import { listAll, type SkippedRun, visitEach } from "./recovery.js";
import { type BaseRunState, type LoadedRun, type RunAccess, toRecord } from "./run-record.js";

/**
 * A reminder that fell due while a gate waits (its timeout's `remindEvery`), reported once: the
 * sweep stores when it reminded, in the same claim-safe write as anything else it changed.
 */
export interface GateReminder {
  kind: RunKind;
  /** The agent's or workflow's id. */
  ownerId: string;
  runId: string;
  sessionId: string;
  /** The requirement that waits (a tool call of a workflow's executor pause: the call's own id). */
  requirementId: string;
  /** Who is asked now: the escalation's approvers, or null for the gate's own. */
  approvers: string[] | null;
  /** 0 before any escalation, then 1, 2, ... */
  level: number;
  /** When the gate's deadline passes (ms since the epoch). */
  deadline: number;
}

/** What expirePausedRuns() did. */
export interface SweepReport {
  /** Runs a lapsed deadline moved on (continued, or cancelled). */
  moved: number;
  /** Gates (or tool calls) handed to their escalation's approvers; their runs stay paused. */
  escalated: number;
  /** Reminders that fell due, each reported once. */
  reminders: GateReminder[];
  /** Rows the sweep could not read or move on, left as they are. */
  skipped: SkippedRun[];
}

/** What applying the due deadlines of one paused run changed, in memory. */
export interface LapseResult {
  /** The audit entries of the deadlines' decisions and escalations, chained on the run. */
  entries: DecisionRecord[];
  escalated: number;
  reminders: GateReminder[];
}

/** How the sweep handles one kind of run. */
export interface SweepHooks<T extends BaseRunState> {
  /** Applies what is due at `now` to the run's open gates (decisions, escalations, reminders), each decision or escalation with its entry. */
  lapse(state: T, now: number): LapseResult;
  /** True when nothing waits for a person any more: the run can go on. */
  resolved(state: T, now: number): boolean;
  /** Continues the run through the normal claim (which applies the same deadlines again). */
  continueRun(ref: { runId: string; sessionId: string }, now: number): Promise<unknown>;
}

/**
 * Stores a paused run's changes (an escalation, a reminder, a tool call its deadline decided while
 * others still wait) with a compare-and-set on the revision it was loaded at, audit entries in the
 * same transaction. False when another process changed the run first: then nothing is stored.
 */
export async function storePaused<T extends BaseRunState>(
  db: Db,
  access: RunAccess<T>,
  loaded: LoadedRun<T>,
  decisions: readonly DecisionRecord[],
): Promise<boolean> {
  const record = toRecord(access, loaded.state, loaded.revision + 1, null);
  return decisions.length === 0
    ? db.updateRun(record, loaded.revision)
    : db.writeRuns([{ record, expectedRevision: loaded.revision, decisions }]);
}

/**
 * Applies lapsed deadlines to every paused run of one owner. A run whose deadlines settle all it
 * waits for is continued through the normal claim; one that still waits (an escalation, a
 * reminder, one call of several decided) is stored paused with a compare-and-set. Either way,
 * when two sweeps race, exactly one stores what a deadline did; the other finds the run changed
 * and leaves it. Rows it cannot read or move on are reported in `skipped`.
 */
export async function sweepDeadlines<T extends BaseRunState>(
  db: Db,
  access: RunAccess<T>,
  ownerId: string,
  now: number,
  hooks: SweepHooks<T>,
): Promise<SweepReport> {
  const report: SweepReport = { moved: 0, escalated: 0, reminders: [], skipped: [] };
  const paused = await listAll(db, access.kind, ownerId, "paused");
  report.skipped = await visitEach(db, access, paused, async (loaded) => {
    const trial = structuredClone(loaded.state);
    const due = hooks.lapse(trial, now);
    // Only a lapsed deadline moves a run on here: a run paused with nothing to decide waits for continueRun().
    if (due.entries.length > 0 && hooks.resolved(trial, now)) {
      try {
        await hooks.continueRun({ runId: loaded.state.runId, sessionId: loaded.state.sessionId }, now);
        report.moved += 1;
      } catch (error) {
        // Another process moved it on (or decided it) first: nothing to do here.
        if (!isRaceLost(error)) throw error;
      }
      return;
    }
    if (due.entries.length === 0 && due.reminders.length === 0) return;
    if (await storePaused(db, access, { state: trial, revision: loaded.revision }, due.entries)) {
      report.escalated += due.escalated;
      report.reminders.push(...due.reminders);
    }
  });
  return report;
}

function isRaceLost(error: unknown): boolean {
  return (
    error instanceof RunAlreadyClaimedError ||
    error instanceof RunNotPausedError ||
    error instanceof UnresolvedRequirementError
  );
}
