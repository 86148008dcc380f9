// A process dies in the middle of an approved payment; another one recovers the run without
// paying twice. Offline, on SQLite, with a scripted model:
//
//   node --conditions=kern-source --import tsx examples/faults/crash-and-recover.ts
//
// 1. This process starts a run: the agent asks to pay invoice 42, the run pauses for approval.
// 2. A child process approves it and starts paying; it is killed (SIGKILL) right after the
//    payment went out and before kern could store that it did.
// 3. This process waits for the dead child's lease to lapse and calls agent.recover(): the call
//    comes back as "may or may not have run". The payment log says it ran, so it is skipped,
//    and the run finishes: invoice 42 was paid exactly once.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ModelRequest } from "kern";
import { Agent } from "kern/agent";
import { SqliteDb } from "kern/db/sqlite";
import { FakeModel, text, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { z } from "zod";

const LEASE_MS = 500;

/** The payment agent; `pay` appends to the ledger, then (in the child) the process dies. */
function payments(
  dbFile: string,
  ledger: string,
  script: ConstructorParameters<typeof FakeModel>[0],
  dieAfterPaying: boolean,
): Agent {
  const pay = tool({
    name: "pay",
    description: "Pay an invoice.",
    parameters: z.object({ invoice: z.string(), cents: z.number() }),
    requiresConfirmation: true,
    execute: ({ invoice, cents }) => {
      appendFileSync(ledger, `paid invoice ${invoice}: ${cents} cents\n`);
      if (dieAfterPaying) process.kill(process.pid, "SIGKILL");
      return `Invoice ${invoice} paid.`;
    },
  });
  return new Agent({
    name: "Payer",
    model: new FakeModel(script),
    tools: [pay],
    db: new SqliteDb({ dbFile }),
    leaseMs: LEASE_MS,
  });
}

const [role, dbFile, ledger, runId, sessionId] = process.argv.slice(2);
if (
  role === "child" &&
  dbFile !== undefined &&
  ledger !== undefined &&
  runId !== undefined &&
  sessionId !== undefined
) {
  // The process that dies: it approves the payment and continues the run.
  const agent = payments(dbFile, ledger, [], true);
  const run = await agent.getRunOutput(runId, sessionId);
  for (const requirement of run.activeRequirements) requirement.confirm();
  await agent.continueRun(run);
} else {
  const directory = mkdtempSync(join(tmpdir(), "kern-crash-"));
  const files = { dbFile: join(directory, "runs.db"), ledger: join(directory, "ledger.txt") };
  const paused = await payments(
    files.dbFile,
    files.ledger,
    [toolCall("pay", { invoice: "42", cents: 12_000 })],
    false,
  ).run("Pay invoice 42");
  const asked = paused.activeRequirements.map(
    (requirement) => `${requirement.toolExecution.toolName}(${JSON.stringify(requirement.toolExecution.toolArgs)})`,
  );
  console.log(`1. The run paused for approval of ${asked.join(", ")}`);

  const child = spawnSync(process.execPath, [
    ...process.execArgv,
    new URL(import.meta.url).pathname,
    "child",
    files.dbFile,
    files.ledger,
    paused.runId,
    paused.sessionId,
  ]);
  console.log(
    `2. The approving process died (${child.signal ?? `exit ${child.status}`}) after paying: the ledger says "${readFileSync(files.ledger, "utf8").trim()}"`,
  );

  await sleep(LEASE_MS + 100);
  // The model answers from the tool result it is given: the payment ran again, or it was skipped.
  const report = (request: ModelRequest) => {
    const last = request.messages.at(-1);
    const paidNow = last?.role === "tool" && last.content.startsWith("Invoice 42 paid");
    return text(paidNow ? "I paid invoice 42." : "Invoice 42 was already paid; I did not pay it again.");
  };
  const agent = payments(files.dbFile, files.ledger, [report], false);
  const { agentRuns } = await agent.recover();
  const [recovered] = agentRuns;
  console.log(
    `3. recover() took the run over: ${recovered?.uncertainToolCalls.length ?? 0} call may or may not have run`,
  );
  const run = await agent.getRunOutput(paused.runId, paused.sessionId);
  for (const requirement of run.activeRequirements) {
    const paid = existsSync(files.ledger) && readFileSync(files.ledger, "utf8").includes("invoice 42");
    if (paid) requirement.reject("The ledger shows it was paid.");
    else requirement.confirm();
    console.log(
      `   ${requirement.toolExecution.toolName}(${JSON.stringify(requirement.toolExecution.toolArgs)}): ${paid ? "skipped, the ledger shows it ran" : "run again"}`,
    );
  }
  const done = await agent.continueRun(run);
  const payments42 = readFileSync(files.ledger, "utf8")
    .split("\n")
    .filter((line) => line.includes("invoice 42")).length;
  console.log(
    `4. The run ${done.status}: "${done.content ?? ""}" Invoice 42 was paid ${payments42} time${payments42 === 1 ? "" : "s"}.`,
  );
}
