import type { Frame, FrameOf } from "../../runs/index.js";
import type { Condition } from "../components/condition.js";
import { below, runChildren } from "./children.js";
import {
  type EngineContext,
  enterFrame,
  makeOutput,
  type Runner,
  skippedOutput,
  stepInputFor,
  stepRef,
} from "./context.js";
import { rejectOutcome } from "./decisions.js";
import { pauseForConfirmation, takeConfirmation } from "./gates.js";

async function evaluate(
  condition: Condition,
  context: EngineContext,
  frame: FrameOf<"Condition">,
): Promise<"if" | "else"> {
  const { evaluator } = condition;
  const input = { previousContent: frame.previousContent, additionalData: frame.additionalData ?? {} };
  const verdict = typeof evaluator === "boolean" ? evaluator : await evaluator(stepInputFor(context, input));
  return verdict ? "if" : "else";
}

/**
 * Runs a Condition: its confirmation gate (rejecting follows onReject; "else" runs the else
 * branch without evaluating), then the branch its evaluator picks. The chosen branch is kept in
 * the frame, so a pause inside it resumes in the same branch.
 */
export const runCondition: Runner<Condition> = async (condition, context, input, path, resume) => {
  const frame = enterFrame(context, "Condition", resume, input);
  let resumeChild: Frame[] | null = null;
  if (resume === null || frame.phase === "before") {
    if (condition.requiresConfirmation) return pauseForConfirmation(condition, context, path, frame);
  } else if (frame.phase === "confirm") {
    const decision = takeConfirmation(condition, context);
    if (decision !== "confirmed") {
      if ("type" in decision) return decision;
      if (condition.onReject !== "else") return rejectOutcome(condition, "Condition", decision.rejected);
      frame.branch = "else";
    }
  } else {
    resumeChild = below(resume);
  }
  frame.phase = "running";
  if (frame.branch === null || resumeChild === null) {
    frame.branch ??= await evaluate(condition, context, frame);
    context.emit?.({ event: "ConditionExecutionStarted", ...stepRef(context, condition, path), branch: frame.branch });
  }
  const children = frame.branch === "if" ? condition.steps : condition.elseSteps;
  if (children.length === 0)
    return { type: "done", output: skippedOutput(condition.name, "Condition", "no else branch") };
  const offset = frame.branch === "if" ? 0 : condition.steps.length;
  const result = await runChildren(
    children,
    context,
    frame,
    frame.previousContent,
    (index) => [...path, offset + index],
    resumeChild,
  );
  if (result.type !== "finished") return result;
  return { type: "done", output: makeOutput(condition.name, "Condition", result.content, { steps: frame.outputs }) };
};
