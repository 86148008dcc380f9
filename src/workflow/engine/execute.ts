import type { Frame } from "../../runs/index.js";
import type { Component } from "../components/component.js";
import { stepRef, type EngineContext, type ExecInput, type Outcome } from "./context.js";
import { runCondition } from "./run-condition.js";
import { runLoop } from "./run-loop.js";
import { runParallel } from "./run-parallel.js";
import { runRouter } from "./run-router.js";
import { runStep } from "./run-step.js";
import { runSteps } from "./run-steps.js";

/** Runs any component, resuming from `resume` (its frame first) when given. */
export async function execute(component: Component, context: EngineContext, input: ExecInput, path: readonly number[], resume: Frame[] | null): Promise<Outcome> {
  context.signal?.throwIfAborted();
  // An agent run's held save is stored before any other component can act, so a side effect
  // never runs while a finished tool call's record waits in memory.
  await context.batch.flush();
  if (resume === null) context.emit?.({ event: "StepStarted", ...stepRef(context, component, path) });
  const outcome = await dispatch(component, context, input, path, resume);
  if (outcome.type === "done") {
    context.emit?.({ event: "StepCompleted", ...stepRef(context, component, path), content: outcome.output.content, skipped: outcome.output.skipped });
  }
  return outcome;
}

function dispatch(component: Component, context: EngineContext, input: ExecInput, path: readonly number[], resume: Frame[] | null): Promise<Outcome> {
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
      return runParallel(component, context, input, path);
    default: {
      const unreachable: never = component;
      throw new Error(`Unknown component ${String(unreachable)}`);
    }
  }
}
