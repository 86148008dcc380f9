import type { Frame } from "../../runs/index.js";
import type { Component } from "../components/component.js";
import type { EngineContext, ExecInput, Outcome } from "./context.js";
import { runCondition } from "./run-condition.js";
import { runLoop } from "./run-loop.js";
import { runParallel } from "./run-parallel.js";
import { runRouter } from "./run-router.js";
import { runStep } from "./run-step.js";
import { runSteps } from "./run-steps.js";

/** Runs any component, resuming from `resume` (its frame first) when given. */
export async function execute(component: Component, context: EngineContext, input: ExecInput, path: readonly number[], resume: Frame[] | null): Promise<Outcome> {
  context.signal?.throwIfAborted();
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
