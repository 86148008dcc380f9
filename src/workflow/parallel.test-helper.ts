import type { Db } from "../db/db.js";
import { type FakeScript, text, toolCall } from "../testing/index.js";
import type { Component } from "./components/component.js";
import { type OnBranchReject, Parallel } from "./components/parallel.js";
import { Step } from "./components/step.js";
import type { StepRequirement } from "./step-requirement.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep, freshDb, gatedAgent } from "./workflow.test-helper.js";
import type { WorkflowRunOutput } from "./workflow-run-output.js";

/**
 * A workflow of one Parallel "fan_out" with three branches, then a step that reports what the
 * Parallel joined: "approve" (a confirmed function step), "notify" (an agent whose tool
 * `notify_tool` is gated) and "audit" (no gate), then any `extra` branches. Every step and tool
 * counts its runs.
 */
export function fanOut(
  options: {
    db?: Db;
    onBranchReject?: OnBranchReject;
    extra?: (counter: Counter) => Component[];
    /** The notify agent's model script (default: call the tool once, then answer). */
    script?: FakeScript[];
  } = {},
): {
  workflow: Workflow;
  counter: Counter;
  db: Db;
} {
  const counter = new Counter();
  const db = options.db ?? freshDb();
  const { agent } = gatedAgent("notify", counter, db, options.script);
  const workflow = new Workflow({
    name: "fan",
    db,
    steps: [
      new Parallel({
        name: "fan_out",
        ...(options.onBranchReject === undefined ? {} : { onBranchReject: options.onBranchReject }),
        steps: [
          countedStep("approve", counter, { requiresConfirmation: true, confirmationMessage: "Approve the budget?" }),
          new Step({ name: "notify", agent }),
          countedStep("audit", counter),
          ...(options.extra?.(counter) ?? []),
        ],
      }),
      new Step({ name: "report", executor: (input) => `Report: ${input.previousStepContent ?? "nothing"}` }),
    ],
  });
  return { workflow, counter, db };
}

/**
 * A notify agent's script for any number of runs: it calls its tool, then answers once it sees
 * the tool's result (a process continuing a run another process started needs no earlier turn).
 */
export function notifyScript(turns: number): FakeScript[] {
  const respond: FakeScript = (request) =>
    request.messages.at(-1)?.role === "tool" ? text("notify finished") : toolCall("notify_tool", { target: "notify" });
  return Array.from({ length: turns }, () => respond);
}

/** "kind:path" of each active requirement, in order: the pause a person sees. */
export function activeLabels(run: WorkflowRunOutput): string[] {
  return run.activeStepRequirements.map((requirement) => `${requirement.kind}:${requirement.path.join("/")}`);
}

/** The active requirement asked at the step named `stepName`. */
export function activeAt(run: WorkflowRunOutput, stepName: string): StepRequirement {
  const found = run.activeStepRequirements.find((requirement) => requirement.stepName === stepName);
  if (found === undefined) throw new Error(`No active requirement at '${stepName}': ${activeLabels(run).join(", ")}`);
  return found;
}

/** Approves one active requirement: a confirmation, or every tool call of an executor pause. */
export function approveAt(run: WorkflowRunOutput, stepName: string): void {
  const requirement = activeAt(run, stepName);
  if (requirement.requiresExecutorInput) for (const call of requirement.executorRequirements) call.confirm();
  else requirement.confirm();
}

/** Rejects one active requirement: the gate, or every tool call of an executor pause. */
export function rejectAt(run: WorkflowRunOutput, stepName: string, note: string): void {
  const requirement = activeAt(run, stepName);
  if (requirement.requiresExecutorInput) for (const call of requirement.executorRequirements) call.reject(note);
  else requirement.reject(note);
}

/** A latch: `wait()` resolves once `open()` was called (or rejects after `ms`, naming `what`). */
export class Latch {
  readonly #opened: Promise<void>;
  #open: () => void = () => undefined;

  constructor() {
    this.#opened = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  open(): void {
    this.#open();
  }

  async wait(what: string, ms = 2000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: the other branch never ran meanwhile`)), ms);
    });
    try {
      await Promise.race([this.#opened, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
