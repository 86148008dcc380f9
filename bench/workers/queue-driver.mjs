// The queue bench's driver: `node queue-driver.mjs <pgUrl> <schema> <logFile> <mode> <runs> <window> <tag>`.
// mode "inprocess": this process runs every cycle itself (run, continueRun, continueRun), `window`
// at a time. mode "queued": it only enqueues starts and approvals (enqueueRun, enqueueContinue),
// keeping `window` runs open, while worker processes run them. Prints one JSON line:
// { cycles, seconds, cyclesPerSecond, latencyMs: [approval-to-tool-start per run] }.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { buildApp } from "./queue-app.mjs";

const [pgUrl, schema, logFile, mode, runsArg, windowArg, tag] = process.argv.slice(2);
const runs = Number(runsArg);
const window = Number(windowArg);
const { db, queue, workflow } = buildApp({ pgUrl, schema, logFile, queued: mode === "queued", connections: 10 });
const approvedAt = new Map();

function confirmAll(run) {
  const active = run.stepRequirements.at(-1);
  if (active?.requiresExecutorInput) for (const call of active.executorRequirements) call.confirm();
  else active?.confirm();
  return active?.requiresExecutorInput === true;
}

async function inProcessCycle(index) {
  const input = `${tag}-${index}`;
  let run = await workflow.run(input);
  while (run.isPaused) {
    if (confirmAll(run)) approvedAt.set(input, Date.now());
    run = await workflow.continueRun(run);
  }
  if (run.status !== "completed") throw new Error(`run ${input} ended ${run.status}`);
}

/** Keeps `window` runs open: enqueues starts, approves each pause as soon as it is seen, until all complete. */
async function queuedCycles() {
  const open = new Map();
  let next = 0;
  let completed = 0;
  const start = async () => {
    const input = `${tag}-${next++}`;
    const { runId, sessionId } = await workflow.enqueueRun(input);
    open.set(runId, { input, sessionId, seenRevision: null });
  };
  while (open.size < window && next < runs) await start();
  while (completed < runs) {
    const paused = await workflow.listRuns({ status: "paused", limit: 1000 });
    const done = await workflow.listRuns({ status: "completed", limit: 1000 });
    for (const summary of done) {
      if (open.delete(summary.runId)) {
        completed += 1;
        if (next < runs) await start();
      }
    }
    await Promise.all(
      paused
        .filter((summary) => open.has(summary.runId) && open.get(summary.runId).seenRevision !== summary.revision)
        .map(async (summary) => {
          const entry = open.get(summary.runId);
          entry.seenRevision = summary.revision;
          const run = await workflow.getRunOutput(summary.runId, entry.sessionId);
          if (confirmAll(run)) approvedAt.set(entry.input, Date.now());
          await workflow.enqueueContinue(run);
        }),
    );
    // Poll gently: the driver shares the machine with the workers it measures.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

await db.migrate();
await queue?.start();
const began = performance.now();
if (mode === "inprocess") {
  let next = 0;
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < runs) await inProcessCycle(next++);
    }),
  );
} else {
  await queuedCycles();
}
const seconds = (performance.now() - began) / 1000;
const mine = readFileSync(logFile, "utf8")
  .split("\n")
  .filter((line) => line.startsWith(`${tag}-`))
  .map((line) => line.split(" "));
const started = new Map(mine);
const latencyMs = [...approvedAt].map(([input, at]) => Number(started.get(input)) - at).filter((value) => Number.isFinite(value));
const executions = mine.length;
if (executions !== runs) throw new Error(`the tool ran ${executions} times for ${runs} runs`);
console.log(JSON.stringify({ cycles: runs, seconds, cyclesPerSecond: runs / seconds, latencyMs }));
await queue?.close();
await db.close();
process.exit(0);
