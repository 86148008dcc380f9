import type { Frame } from "../../runs/index.js";
import type { Steps } from "../components/steps.js";
import { below, runChildren } from "./children.js";
import { enterFrame, makeOutput, type Runner } from "./context.js";
import { rejectOutcome } from "./decisions.js";
import { pauseForConfirmation, takeConfirmation } from "./gates.js";

/** Runs a Steps sequence, after its confirmation gate when it has one. */
export const runSteps: Runner<Steps> = async (steps, context, input, path, resume) => {
  const frame = enterFrame(context, "Steps", resume, input);
  let resumeChild: Frame[] | null = null;
  if (resume === null || frame.phase === "before") {
    if (steps.requiresConfirmation) return pauseForConfirmation(steps, context, path, frame);
  } else if (frame.phase === "confirm") {
    const decision = takeConfirmation(steps, context);
    if (decision !== "confirmed")
      return "type" in decision ? decision : rejectOutcome(steps, "Steps", decision.rejected);
  } else {
    resumeChild = below(resume);
  }
  frame.phase = "running";
  const result = await runChildren(
    steps.steps,
    context,
    frame,
    frame.previousContent,
    (index) => [...path, index],
    resumeChild,
  );
  if (result.type !== "finished") return result;
  return { type: "done", output: makeOutput(steps.name, "Steps", result.content, { steps: frame.outputs }) };
};
