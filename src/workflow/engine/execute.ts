import type { Frame } from "../../runs/index.js";
import type { Component } from "../components/component.js";
import { flushCheckpoint } from "./checkpoint.js";
import { type EngineContext, type ExecInput, type Execute, type Outcome, stepRef } from "./context.js";
import { runCondition } from "./run-condition.js";
import { runLoop } from "./run-loop.js";
import { runParallel } from "./run-parallel.js";
import { runRouter } from "./run-router.js";
import { runStep } from "./run-step.js";
import { runSteps } from "./run-steps.js";

/** Runs any component, resuming from `resume` (its frame first) when given (EngineContext's `execute`). */
export const execute: Execute = async (component, context, input, path, resume) => {
  context.signal?.throwIfAborted();
  // What the previous component produced (and an agent run's held save) is stored before this
  // one can act: a result is never lost to a crash in a later step. A Step stores it with its own
  // first write instead (its start, or its pause), since it runs nothing of the user's before.
  if (component.stepType !== "Step") await flushCheckpoint(context, resume !== null);
  if (resume === null) context.emit?.({ event: "StepStarted", ...stepRef(context, component, path) });
  const depth = context.stack.length;
  const outcome = await dispatch(component, context, input, path, resume);
  // Only on return: when a component throws, the frames stay as they were, and the failed run is
  // stored with the cursor of the failure, where retryRun() resumes it.
  context.stack.length = depth;
  if (outcome.type === "done") {
    context.emit?.({
      event: "StepCompleted",
      ...stepRef(context, component, path),
      content: outcome.output.content,
      skipped: outcome.output.skipped,
    });
  }
  return outcome;
};

function dispatch(
  component: Component,
  context: EngineContext,
  input: ExecInput,
  path: readonly number[],
  resume: Frame[] | null,
): Promise<Outcome> {
  switch (component.stepType) {
    case "Step":
      return runStep(component, context, input, path, resume);
    case "Steps":
      return runSteps(component, context, input, path, resume);
    case "Condition":
      return runCondition(component, context, input, path, resume);
    case "Router":
      return runRouter(component, context, input, path, resume);
    case "Loop":
      return runLoop(component, context, input, path, resume);
    case "Parallel":
      return runParallel(component, context, input, path, resume);
    default: {
      const unreachable: never = component;
      throw new Error(`Unknown component ${String(unreachable)}`);
    }
  }
}
