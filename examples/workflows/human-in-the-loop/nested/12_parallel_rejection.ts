// Scenario 12: a rejection inside one Parallel branch, under each sibling option. Scenario 11's
// launch checks pause at legal_review (a step gate) and at announce's post_announcement call (a
// tool gate); legal rejects the launch. With onBranchReject "continue" (the default) the announce
// branch still waits for its own decision; with "cancelPending" it is cancelled at once: its
// requirement closes undecided, its paused agent run is cancelled, the tool never runs.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/12_parallel_rejection.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.
import type { Db } from "kern";
import { InMemoryDb } from "kern/db/memory";
import type { FakeScript } from "kern/testing";
import type { OnBranchReject, Workflow, WorkflowRunOutput } from "kern/workflow";
import { build as buildLaunch } from "./11_parallel_branches.js";
import { isMain } from "./shared.js";

export { input } from "./11_parallel_branches.js";

export interface Scenario {
  workflow: Workflow;
  /** Each real side effect, in order: "inventory", "legal_review", "post_announcement #launch". */
  effects: string[];
}

/** Scenario 11's workflow in this process, with the sibling option under test. */
export function build(options: { onBranchReject?: OnBranchReject; db?: Db; script?: FakeScript[] } = {}): Scenario {
  const effects: string[] = [];
  const { workflow } = buildLaunch({
    db: options.db ?? new InMemoryDb(),
    record: (what) => effects.push(what),
    ...(options.onBranchReject === undefined ? {} : { onBranchReject: options.onBranchReject }),
    ...(options.script === undefined ? {} : { script: options.script }),
  });
  return { workflow, effects };
}

/** The requirement waiting at branch `stepName`, or undefined. */
export function waitingAt(run: WorkflowRunOutput, stepName: string) {
  return run.activeStepRequirements.find((requirement) => requirement.stepName === stepName);
}

/** One line per requirement waiting now: its path and what it asks. */
export function describeWaiting(run: WorkflowRunOutput): string {
  if (!run.isPaused) return `${run.status}:\n${run.content ?? ""}`;
  return run.activeStepRequirements
    .map((requirement) => `waiting: ${requirement.path.join(" / ")} (${requirement.kind})`)
    .join("\n");
}

if (isMain(import.meta.url)) {
  for (const onBranchReject of ["continue", "cancelPending"] as const) {
    console.log(`\nonBranchReject: "${onBranchReject}"`);
    const { workflow, effects } = build({ onBranchReject });
    let run = await workflow.run("Launch Kern 1.0 today");
    console.log(describeWaiting(run));
    console.log("→ legal rejects the launch");
    waitingAt(run, "legal_review")?.reject("Trademark not cleared yet.");
    run = await workflow.continueRun(run);
    console.log(describeWaiting(run));
    const announce = waitingAt(run, "announce");
    if (announce !== undefined) {
      console.log("→ the announcement is approved");
      for (const call of announce.executorRequirements) call.confirm();
      run = await workflow.continueRun(run);
      console.log(describeWaiting(run));
    }
    console.log(`side effects: ${effects.join("; ")}`);
  }
}
