import type { Parallel } from "../components/parallel.js";
import { makeOutput, rememberOutputs, type EngineContext, type ExecInput, type Outcome } from "./context.js";
import { execute } from "./execute.js";

/** Runs every branch concurrently on the same input; outputs are joined in declaration order. */
export async function runParallel(parallel: Parallel, context: EngineContext, input: ExecInput, path: readonly number[]): Promise<Outcome> {
  const outcomes = await Promise.all(parallel.steps.map((branch, index) => execute(branch, context, input, [...path, index], null)));
  const outputs = [];
  for (const outcome of outcomes) {
    if (outcome.type === "cancelled") return outcome;
    if (outcome.type === "paused") {
      throw new Error(`kern internal error: a branch of Parallel '${parallel.name}' paused, but branches cannot hold gates.`);
    }
    outputs.push(outcome.output);
  }
  rememberOutputs(context, outputs);
  const content = outputs.filter((output) => !output.skipped && output.content !== null).map((output) => output.content).join("\n\n");
  return { type: "done", output: makeOutput(parallel.name, "Parallel", content, { steps: outputs, success: outputs.every((output) => output.success) }) };
}
