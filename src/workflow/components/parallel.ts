import { ConfigurationError } from "../../errors.js";
import type { Component } from "./component.js";
import { checkOptions, requireName } from "./options.js";

/** What a rejection inside one branch of a Parallel does to its sibling branches. */
export type OnBranchReject = "continue" | "cancelPending";

const ON_BRANCH_REJECT: readonly OnBranchReject[] = ["continue", "cancelPending"];

export interface ParallelOptions {
  name: string;
  /** The branches; each may hold gates (step gates, or its agents' tool gates) at any depth. */
  steps: Component[];
  description?: string;
  /**
   * What a rejection inside one branch (a step gate rejected, or one of its agent's tool calls)
   * does to the sibling branches: `"continue"` (the default) lets them go on; `"cancelPending"`
   * cancels the siblings still waiting at a gate when the rejection is applied: their
   * requirements close undecided, their paused agent runs are cancelled, and their outputs are
   * skipped. Siblings that finished keep their outputs; siblings decided in the same continue go on.
   */
  onBranchReject?: OnBranchReject;
}

/**
 * Runs its branches concurrently; their outputs are joined in declaration order once every branch
 * finished. Any branch may pause at any gate: the branches that do not pause run to completion
 * (their outputs are kept and never run again), and each paused branch adds its own requirement.
 * People resolve them in any order; a continue runs on the branches it decided and leaves the
 * others paused.
 *
 * @example
 * new Parallel({
 *   name: "checks",
 *   steps: [legalReview, budgetCheck, new Step({ name: "notify", agent: notifier })],
 *   onBranchReject: "cancelPending",
 * });
 */
export class Parallel {
  readonly stepType = "Parallel" as const;
  readonly name: string;
  readonly steps: Component[];
  readonly description: string | undefined;
  readonly onBranchReject: OnBranchReject;

  constructor(options: ParallelOptions) {
    checkOptions("Parallel", options, ["name", "steps", "description", "onBranchReject"]);
    this.name = requireName("Parallel", options.name);
    if (!Array.isArray(options.steps) || options.steps.length === 0) {
      throw new ConfigurationError(`Parallel '${this.name}' needs a non-empty steps array.`);
    }
    const onBranchReject = options.onBranchReject ?? "continue";
    if (!ON_BRANCH_REJECT.includes(onBranchReject)) {
      throw new ConfigurationError(
        `Parallel '${this.name}' has onBranchReject: '${String(onBranchReject)}'; use "continue" (siblings go on) or "cancelPending" (siblings still waiting at a gate are cancelled).`,
      );
    }
    this.steps = options.steps;
    this.description = options.description;
    this.onBranchReject = onBranchReject;
  }
}
