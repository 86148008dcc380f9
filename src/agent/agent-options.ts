import type { Db } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import type { Model } from "../models/index.js";
import { checkLeaseMs, checkPolicy, checkQueue, type RunQueue, type ToolPolicy } from "../runs/index.js";
import type { Tool } from "../tools/index.js";
import type { Agent } from "./agent.js";

export interface AgentOptions {
  name: string;
  /** Stable id runs are stored under; defaults to `name`. */
  id?: string;
  model: Model;
  tools?: readonly Tool[];
  instructions?: string;
  description?: string;
  /** Where runs are stored. Without one, runs live in this process's memory only. */
  db?: Db;
  /** Model turns allowed in one run before it stops with MaxTurnsExceededError (default 10). */
  maxTurns?: number;
  /**
   * How long a claim on a running run lasts without renewal, in ms (default 300 000). The holder
   * renews it every third of that while it works, however long a tool runs; `recover()` elsewhere
   * takes over only runs whose holder stopped renewing for this long.
   */
  leaseMs?: number;
  /**
   * Earlier definitions of this agent (same id; other tools, gates or parameters) whose paused
   * runs this one keeps serving: a run continues under the definition it was paused by.
   */
  previousVersions?: readonly Agent[];
  /**
   * The clock of gate deadlines, in ms since the epoch (default `Date.now`): when a tool's
   * `timeout` starts, and whether it has passed on continueRun() and expirePausedRuns().
   */
  now?: () => number;
  /**
   * Decides the gates of this agent's tools without a person when it can ("allow", "deny",
   * "ask"); a tool's own `policy` takes precedence. See tool().
   */
  policy?: ToolPolicy;
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

const AGENT_OPTIONS = new Set([
  "name",
  "id",
  "model",
  "tools",
  "instructions",
  "description",
  "db",
  "maxTurns",
  "leaseMs",
  "previousVersions",
  "policy",
  "now",
  "queue",
  "storeEvents",
]);

/** Checks a lease length given to an agent or a workflow. */
export function checkAgentOptions(options: AgentOptions): void {
  for (const key in options) {
    if (!AGENT_OPTIONS.has(key)) {
      throw new ConfigurationError(
        `new Agent() does not support '${key}'; supported options: ${[...AGENT_OPTIONS].join(", ")}.`,
      );
    }
  }
  if (typeof options.name !== "string" || options.name === "") {
    throw new ConfigurationError("new Agent() needs a name, e.g. new Agent({ name: 'AlertAgent', model }).");
  }
  if (typeof options.model?.generate !== "function") {
    throw new ConfigurationError(`Agent '${options.name}' needs a model, e.g. new OpenAIResponses({ id: "gpt-5.4" }).`);
  }
  const tools = options.tools ?? [];
  for (let index = 0; index < tools.length; index += 1) {
    for (let other = index + 1; other < tools.length; other += 1) {
      if (tools[index]?.name === tools[other]?.name) {
        throw new ConfigurationError(
          `Agent '${options.name}' has two tools named '${tools[index]?.name}'; tool names must be unique.`,
        );
      }
    }
  }
  checkLeaseMs(`Agent '${options.name}'`, options.leaseMs);
  if (options.now !== undefined && typeof options.now !== "function")
    throw new ConfigurationError(`Agent '${options.name}': now must be a function returning ms since the epoch.`);
  checkPolicy(`Agent '${options.name}'`, options.policy, true);
  checkQueue(`Agent '${options.name}'`, options.queue);
  const id = options.id ?? options.name;
  for (const version of options.previousVersions ?? []) {
    if (version.id !== id) {
      throw new ConfigurationError(
        `Agent '${options.name}' lists a previous version with id '${version.id}'; previous versions keep the id '${id}' their runs are stored under.`,
      );
    }
  }
}
