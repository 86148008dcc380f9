import type { Agent } from "../agent/index.js";
import type { Db } from "../db/index.js";
import { defaultMemoryDb } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import {
  type AnyGatePolicy,
  checkLeaseMs,
  checkPolicy,
  checkQueue,
  type DefinitionChoice,
  type fallbackPolicy,
  type Principal,
  type RunQueue,
  type viaDecisionLink,
} from "../runs/index.js";
import type { Component } from "./components/component.js";
import { checkOptions, requireName } from "./components/options.js";
import type { WorkflowEventListener } from "./events.js";
import type { Workflow } from "./workflow.js";

export interface WorkflowOptions {
  name: string;
  id?: string;
  description?: string;
  /** Where runs are stored. Without one, runs live in this process's memory only. */
  db?: Db;
  /** The components to run in order; an Agent is wrapped in a Step named after it. */
  steps: Array<Component | Agent>;
  /**
   * How long a claim on a running run lasts without renewal, in ms (default 300 000). The holder
   * renews it every third of that while it works; `recover()` elsewhere takes over only runs
   * whose holder stopped renewing for this long.
   */
  leaseMs?: number;
  /**
   * Earlier definitions of this workflow (same id and db; other steps, order, gates or agents'
   * tools) whose paused runs this one keeps serving: a run continues under the definition it
   * was paused by.
   */
  previousVersions?: readonly Workflow[];
  /**
   * The clock of gate deadlines, in ms since the epoch (default `Date.now`): when a `hitlTimeout`
   * is set and when it has passed. Tests pass a controllable one. Leases keep the real clock
   * (their renewals are real timers).
   */
  now?: () => number;
  /**
   * The default policy of every gate in this workflow without its own: its components' gates
   * and its step agents' tool gates (after a tool's and an agent's own). See tool().
   */
  policy?: AnyGatePolicy;
  /**
   * Where enqueueRun() and enqueueContinue() ring for a worker (`new PgBossQueue({ dbUrl })` from
   * kern/worker). Without one, runs execute in the calling process, as run() and continueRun() do.
   */
  queue?: RunQueue;
  /**
   * Store each run's events (the stream runStream() yields) in `db`, numbered per run, so a
   * reader in any process can follow a run that executes elsewhere and resume after the last
   * event it saw (kern/server's event endpoints). Default: true when `queue` is set.
   */
  storeEvents?: boolean;
}

export interface WorkflowRunOptions {
  sessionId?: string;
  userId?: string;
  runId?: string;
  /** Plain JSON every step receives in `stepInput.additionalData` (at most 64 levels deep and 1 MiB). */
  additionalData?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Called with each event as it happens (runStream() uses this). */
  onEvent?: WorkflowEventListener;
  /** Ask agents to use their model's streaming API (RunContent events). */
  stream?: boolean;
  /** Internal: a default policy (kern/server's) for gates without the workflow's or their own. */
  [fallbackPolicy]?: AnyGatePolicy;
}

export type WorkflowContinueOptions = Pick<
  WorkflowRunOptions,
  "signal" | "onEvent" | "stream" | typeof fallbackPolicy
> &
  DefinitionChoice & {
    /**
     * Who decides: stored as `decidedBy` on every requirement this call decides (the step's gate,
     * or its agent's tool calls), and checked against each gate's `approvers` and
     * `allowSelfApproval`. Without one, the decisions are recorded as made by code (and a gate
     * with `approvers` refuses them).
     */
    actor?: Principal;
    /** Internal: the signed decision link these decisions came through (kern/server). */
    [viaDecisionLink]?: string;
  };

const WORKFLOW_OPTIONS = [
  "name",
  "id",
  "description",
  "db",
  "steps",
  "leaseMs",
  "previousVersions",
  "now",
  "policy",
  "queue",
  "storeEvents",
] as const;

/** Checks a Workflow's options and returns its name. */
export function checkWorkflowOptions(options: WorkflowOptions): string {
  checkOptions("Workflow", options, WORKFLOW_OPTIONS);
  const name = requireName("Workflow", options.name);
  if (!Array.isArray(options.steps) || options.steps.length === 0) {
    throw new ConfigurationError(`Workflow '${name}' needs a non-empty steps array.`);
  }
  checkLeaseMs(`Workflow '${name}'`, options.leaseMs);
  checkPolicy(`Workflow '${name}'`, options.policy, true);
  checkQueue(`Workflow '${name}'`, options.queue);
  if (options.now !== undefined && typeof options.now !== "function") {
    throw new ConfigurationError(
      `Workflow '${name}': now must be a function returning ms since the epoch, like () => Date.now().`,
    );
  }
  const id = options.id ?? name;
  for (const version of options.previousVersions ?? []) {
    if (version.id !== id) {
      throw new ConfigurationError(
        `Workflow '${name}' lists a previous version with id '${version.id}'; previous versions keep the id '${id}' their runs are stored under.`,
      );
    }
    if (version.db !== (options.db ?? defaultMemoryDb())) {
      throw new ConfigurationError(
        `Workflow '${name}' lists a previous version that stores its runs in another db; give it the same db, so it finds the runs it serves.`,
      );
    }
  }
  return name;
}
