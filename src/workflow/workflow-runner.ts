import type { TreeTake } from "../agent/index.js";
import type { Db, DecisionRecord } from "../db/index.js";
import { defaultMemoryDb } from "../db/index.js";
import {
  type Claim,
  DEFAULT_LEASE_MS,
  fallbackPolicy,
  type StepRequirementState,
  type WorkflowRunState,
} from "../runs/index.js";
import { hasComponentPolicies } from "./auto-decide.js";
import type { Component } from "./components/component.js";
import { driveClaimedWorkflow } from "./workflow-drive.js";
import type { WorkflowContinueOptions, WorkflowOptions } from "./workflow-options.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";
import { loadExecutorRuns } from "./workflow-state.js";

/** Where a drive of a claimed run resumes, and what it reports. */
export interface DriveHow {
  /** The decided requirement the resume hands to the component it stopped in, or null. */
  resolved: StepRequirementState | null;
  started: boolean;
  retrying: boolean;
  /** The audit entries of the decisions the continue applied (for their "awaiting human" spans). */
  decided?: readonly DecisionRecord[];
  /** Step agents' runs claimed with the workflow run (tree-claim.ts), by run id. */
  agentClaims?: Map<string, TreeTake>;
}

/** A Workflow's settings as its drives use them: store, clock, lease, policy, events. */
export class WorkflowRunner {
  readonly #options: WorkflowOptions;
  readonly #steps: readonly Component[];

  constructor(options: WorkflowOptions, steps: readonly Component[]) {
    this.#options = options;
    this.#steps = steps;
  }

  get db(): Db {
    return this.#options.db ?? defaultMemoryDb();
  }

  get leaseMs(): number {
    return this.#options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  get storesEvents(): boolean {
    return this.#options.storeEvents ?? this.#options.queue !== undefined;
  }

  /** The clock of gate deadlines (WorkflowOptions.now). */
  now(): number {
    return (this.#options.now ?? Date.now)();
  }

  /** Runs the engine on a claimed run until it pauses or ends, and stores the outcome. */
  drive(claim: Claim<WorkflowRunState>, options: WorkflowContinueOptions, how: DriveHow): Promise<WorkflowRunOutput> {
    const steps = this.#steps;
    const db = this.db;
    return driveClaimedWorkflow({
      claim,
      db,
      steps,
      ...how,
      decided: how.decided ?? [],
      signal: options.signal,
      emit: options.onEvent,
      stream: options.stream === true,
      allowDefinitionChange: options.allowDefinitionChange === true,
      now: () => this.now(),
      policy: this.#options.policy ?? options[fallbackPolicy],
      storeEvents: this.storesEvents,
      componentPolicies: hasComponentPolicies(steps),
      executorRuns: (state, touched) => loadExecutorRuns(steps, db, state, touched),
    });
  }
}
