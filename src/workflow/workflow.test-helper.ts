import { z } from "zod";
import { Agent } from "../agent/index.js";
import type { Db } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, type FakeScript, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step, type StepOptions } from "./components/step.js";
import type { StepInput } from "./step-input.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";

/** Counts how often each named thing (step, tool) really ran. */
export class Counter {
  readonly #counts = new Map<string, number>();
  hit(name: string): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }
  of(name: string): number {
    return this.#counts.get(name) ?? 0;
  }
}

/** A function step that counts its runs and returns `${name}(<previous content>)`. */
export function countedStep(name: string, counter: Counter, options: Partial<StepOptions> = {}): Step {
  return new Step({
    name,
    executor: (input: StepInput) => {
      counter.hit(name);
      return `${name}(${input.previousStepContent ?? input.input})`;
    },
    ...options,
  });
}

/** An agent whose one gated tool `${name}_tool` counts executions; scripted to call it once, then answer. */
export function gatedAgent(
  name: string,
  counter: Counter,
  db: Db,
  script?: FakeScript[],
): { agent: Agent; model: FakeModel } {
  const toolName = `${name}_tool`;
  const gated = tool({
    name: toolName,
    parameters: z.object({ target: z.string() }),
    requiresConfirmation: true,
    execute: ({ target }) => {
      counter.hit(toolName);
      return `${toolName} done for ${target}`;
    },
  });
  const model = new FakeModel(script ?? [toolCall(toolName, { target: name }), text(`${name} finished`)]);
  return { agent: new Agent({ name, model, tools: [gated], db }), model };
}

export function freshDb(): InMemoryDb {
  return new InMemoryDb();
}

/** "kind:stepName" of the active pause, for asserting pause sequences. */
export function pauseLabel(run: WorkflowRunOutput): string {
  const active = run.stepRequirements.at(-1);
  return `${active?.kind ?? "none"}:${active?.stepName ?? ""}`;
}

/** Approves the active pause (confirmations, reviews, every tool call). */
export function approve(run: WorkflowRunOutput): void {
  const active = run.stepRequirements.at(-1);
  if (active === undefined) return;
  if (active.requiresExecutorInput) for (const call of active.executorRequirements) call.confirm();
  else active.confirm();
}
