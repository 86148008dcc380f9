import type { Frame, FrameOf } from "../../runs/index.js";
import type { Step } from "../components/step.js";
import { markProgress } from "./checkpoint.js";
import { type EngineContext, makeOutput, type Outcome } from "./context.js";
import { WORKFLOW_PHASE } from "./locate.js";

/**
 * Runs the workflow given as a step's executor: its components, as one sequence, inside this run.
 * Their gates pause this run where they stand (the step's frame, then the sequence's frames), and
 * a continue resumes them there (`resume`: the frames below the step's). The workflow's content is
 * the step's output, which then goes to the step's own review. Its input is what the step gets:
 * the previous content (its `stepInput.input` too) and what the step's gates supplied.
 */
export async function runNestedWorkflow(
  step: Step,
  context: EngineContext,
  path: readonly number[],
  frame: FrameOf<"Step">,
  resume: Frame[] | null,
): Promise<Outcome | "review"> {
  const nested = step.nested;
  if (nested === undefined) throw new Error(`kern internal error: Step '${step.name}' runs no workflow.`);
  frame.phase = WORKFLOW_PHASE;
  frame.output = null;
  const input = { previousContent: frame.previousContent, additionalData: frame.additionalData ?? {} };
  const outer = context.input;
  context.input = frame.previousContent ?? outer;
  let outcome: Outcome;
  try {
    outcome = await context.execute(nested, context, input, [...path, 0], resume);
  } finally {
    context.input = outer;
  }
  switch (outcome.type) {
    case "paused":
      return { type: "paused", frames: [frame, ...outcome.frames] };
    case "cancelled":
      return outcome;
    case "done":
      frame.output = makeOutput(step.name, "Step", outcome.output.content, { steps: [outcome.output] });
      frame.phase = "executed";
      markProgress(context);
      return "review";
    default: {
      const unreachable: never = outcome;
      throw new Error(`Unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}
