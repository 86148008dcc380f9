import { ConfigurationError } from "../../errors.js";
import type { Component } from "./component.js";
import { findGate } from "./gates.js";
import { checkOptions, requireName } from "./options.js";

export interface ParallelOptions {
  name: string;
  steps: Component[];
  description?: string;
}

/** Runs its branches concurrently; their outputs are joined in declaration order. */
export class Parallel {
  readonly stepType = "Parallel" as const;
  readonly name: string;
  readonly steps: Component[];
  readonly description: string | undefined;

  constructor(options: ParallelOptions) {
    checkOptions("Parallel", options, ["name", "steps", "description"]);
    this.name = requireName("Parallel", options.name);
    if (!Array.isArray(options.steps) || options.steps.length === 0) {
      throw new ConfigurationError(`Parallel '${this.name}' needs a non-empty steps array.`);
    }
    for (const branch of options.steps) {
      const gate = findGate(branch);
      if (gate !== null) {
        throw new ConfigurationError(
          `Parallel '${this.name}' contains a human gate (${gate}); gates inside parallel branches are not supported yet. ` +
            `Move the gated step before or after the Parallel.`,
        );
      }
    }
    this.steps = options.steps;
    this.description = options.description;
  }
}
