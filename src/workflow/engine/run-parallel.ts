import type { Parallel } from "../components/parallel.js";
import { checkpoint, markProgress } from "./checkpoint.js";
import {
  type EngineContext,
  enterFrame,
  makeOutput,
  type Runner,
  rememberOutputs,
  skippedOutput,
  takeResolved,
} from "./context.js";

/**
 * Runs every branch concurrently on the same input; outputs are joined in declaration order.
 * Branches run concurrently, so the Parallel is checkpointed as a whole: stored as started before
 * its branches run, with its output after. A crash in between brings it back to a person as "may
 * have partly run" (retry or skip), never re-run silently.
 */
export const runParallel: Runner<Parallel> = async (parallel, context, input, path, resume) => {
  const frame = enterFrame(context, "Parallel", resume, input);
  if (resume !== null && frame.phase === "error") {
    const requirement = takeResolved(context);
    if (requirement.kind !== "error" || requirement.decision?.type !== "retry") {
      return {
        type: "done",
        output: {
          ...skippedOutput(parallel.name, "Parallel", requirement.kind === "error" ? requirement.errorMessage : null),
          success: false,
        },
      };
    }
  } else if (resume !== null && frame.phase === "execute" && !context.retrying) {
    throw new Error(
      `kern internal error: Parallel '${parallel.name}' was started and never finished, and nobody decided whether to run it again.`,
    );
  }
  frame.phase = "execute";
  await checkpoint(context);
  const branchInput = { previousContent: frame.previousContent, additionalData: frame.additionalData ?? {} };
  const branches = parallel.steps.map((branch, index) => {
    const branchContext: EngineContext = { ...context, stack: [], checkpointing: false, resolved: null };
    return context.execute(branch, branchContext, branchInput, [...path, index], null);
  });
  const outcomes = await Promise.all(branches);
  markProgress(context);
  const outputs = [];
  for (const outcome of outcomes) {
    if (outcome.type === "cancelled") return outcome;
    if (outcome.type === "paused") {
      throw new Error(
        `kern internal error: a branch of Parallel '${parallel.name}' paused, but branches cannot hold gates.`,
      );
    }
    outputs.push(outcome.output);
  }
  rememberOutputs(context, outputs);
  const content = outputs
    .filter((output) => !output.skipped && output.content !== null)
    .map((output) => output.content)
    .join("\n\n");
  return {
    type: "done",
    output: makeOutput(parallel.name, "Parallel", content, {
      steps: outputs,
      success: outputs.every((output) => output.success),
    }),
  };
};
