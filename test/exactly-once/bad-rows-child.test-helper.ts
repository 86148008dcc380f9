// A process of the bad-rows test: it starts runs of the "batch" workflow and never finishes the
// ones it was told to hang, so that the test can SIGKILL it with those runs stored as running.
//
//   node bad-rows-child.test-helper.ts '<StoreConfig JSON>' <hanging> <pausing>
// Prints "ready" once every run is stored (hanging ones running, the others paused at their gate).

import type { Db } from "kern";
import { Condition, Step, Workflow } from "kern/workflow";
import { openStore, type StoreConfig } from "./fixture.test-helper.js";

/** Short leases, so runs of a dead process are recoverable a moment after it died. */
export const BATCH_LEASE_MS = 300;

/** "hang" runs block in a step forever; the others pause at a gate that times out after 0.2 s. */
export function batchWorkflow(db: Db): Workflow {
  return new Workflow({
    name: "batch",
    db,
    leaseMs: BATCH_LEASE_MS,
    steps: [
      new Condition({
        name: "mode",
        evaluator: (input) => input.additionalData["mode"] === "hang",
        steps: [new Step({ name: "hang", executor: () => new Promise<string>(() => undefined) })],
        elseSteps: [
          new Step({
            name: "gate",
            requiresConfirmation: true,
            hitlTimeout: 0.2,
            onTimeout: "skip",
            executor: () => "gated work",
          }),
        ],
      }),
    ],
  });
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [storeJson = "", hanging = "0", pausing = "0"] = process.argv.slice(2);
  const db = await openStore(JSON.parse(storeJson) as StoreConfig, 4);
  const workflow = batchWorkflow(db);
  for (let index = 0; index < Number(pausing); index += 1)
    await workflow.run(`pause ${index}`, { additionalData: { mode: "pause" } });
  for (let index = 0; index < Number(hanging); index += 1)
    void workflow.run(`hang ${index}`, { additionalData: { mode: "hang" } });
  // Ready once every hanging run is stored as started in its step.
  for (;;) {
    const running = await db.listRuns({ kind: "workflow", status: "running", limit: 1000 });
    const started = await Promise.all(
      running.map(
        async (run) => (await db.getRun("workflow", run.runId))?.state.includes('"phase":"execute"') === true,
      ),
    );
    if (started.filter(Boolean).length === Number(hanging)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  console.log("ready");
  await new Promise(() => undefined);
}
