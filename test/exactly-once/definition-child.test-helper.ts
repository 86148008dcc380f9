// One process of the definition test: it builds the "payments" workflow as a given version of the
// code defines it, does one thing to one run, prints one JSON line and exits. Each step appends
// "<step> <runId> <pid>" to the log file when it really runs.
//
//   node definition-child.test-helper.ts '<StoreConfig JSON>' <logFile> <version> start
//   node definition-child.test-helper.ts '<StoreConfig JSON>' <logFile> <version> continue <runId> <sessionId> [allow]
import { appendFileSync } from "node:fs";
import { Step, Workflow } from "kern/workflow";
import { openStore, type StoreConfig } from "./fixture.test-helper.js";

const [storeJson = "", logFile = "", version = "", op = "", runId = "", sessionId = "", allow = ""] =
  process.argv.slice(2);

function gated(name: string): Step {
  return new Step({
    name,
    requiresConfirmation: true,
    executor: (input) => {
      appendFileSync(logFile, `${name} ${input.additionalData["runId"] as string} ${process.pid}\n`);
      return `${name} done`;
    },
  });
}

/** The versions of the code: v2 swapped the steps; v3 added a step at the end. */
function payments(name: "v1" | "v2" | "v2+v1" | "v3", db: Awaited<ReturnType<typeof openStore>>): Workflow {
  const v1 = new Workflow({ name: "payments", db, steps: [gated("charge"), gated("refund")] });
  switch (name) {
    case "v1":
      return v1;
    case "v2":
      return new Workflow({ name: "payments", db, steps: [gated("refund"), gated("charge")] });
    case "v2+v1":
      return new Workflow({ name: "payments", db, steps: [gated("refund"), gated("charge")], previousVersions: [v1] });
    case "v3":
      return new Workflow({
        name: "payments",
        db,
        steps: [
          gated("charge"),
          gated("refund"),
          new Step({ name: "notify", idempotent: true, executor: () => "notified" }),
        ],
      });
  }
}

const db = await openStore(JSON.parse(storeJson) as StoreConfig, 1);
try {
  const workflow = payments(version as "v1", db);
  if (op === "start") {
    const id = `pay-${process.pid}-${Date.now()}`;
    const run = await workflow.run("Pay invoice 42", { runId: id, additionalData: { runId: id } });
    console.log(
      JSON.stringify({
        ok: true,
        runId: run.runId,
        sessionId: run.sessionId,
        pausedAt: run.pausedStepName,
        fingerprint: workflow.fingerprint,
      }),
    );
  } else {
    const paused = await workflow.getRunOutput(runId, sessionId);
    paused.stepRequirements.at(-1)?.confirm();
    const run = await workflow.continueRun(paused, { allowDefinitionChange: allow === "allow" });
    console.log(
      JSON.stringify({ ok: true, status: run.status, pausedAt: run.pausedStepName, fingerprint: workflow.fingerprint }),
    );
  }
} catch (error) {
  const failure = error instanceof Error ? error : new Error(String(error));
  console.log(JSON.stringify({ ok: false, name: failure.name, message: failure.message }));
} finally {
  await db.close();
}
