/**
 * A child process for the cross-process tests of the SQL stores. Started as
 * `race-child.test-helper.ts sqlite <dbFile>` or `race-child.test-helper.ts postgres <dbUrl> <schema>`,
 * it reads one JSON command per stdin line and answers each with one JSON line on stdout.
 * Commands that carry `startAt` wait until then, so every child acts at the same moment.
 *
 * - `{"op":"ping"}` answers `{"ok":true}` once the process is up; it opens nothing.
 * - `{"op":"migrate","startAt":n}` opens the store, applying migrations: `{"ok":true}`.
 * - `{"op":"load","runId":"..."}` loads the agent run: `{"ok":true,"revision":n}`.
 * - `{"op":"claim","startAt":n}` tries to move the loaded run to `running` with a
 *   compare-and-set on the loaded revision: `{"ok":true,"won":boolean,"pid":n}`.
 * - `{"op":"loadPair","workflowRunId":"...","agentRunId":"..."}` loads a workflow run and an agent
 *   run: `{"ok":true}`.
 * - `{"op":"claimPair","startAt":n,"agentFirst":boolean}` claims both loaded runs with one
 *   writeRuns() (the agent run's write first if agentFirst), as a workflow step's continue does:
 *   `{"ok":true,"won":boolean,"pid":n}`.
 */
import { createInterface } from "node:readline";
import { z } from "zod";
import type { Db, RunRecord } from "./db.js";
import { PostgresDb } from "./postgres/index.js";
import { SqliteDb } from "./sqlite/index.js";

const commandSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("ping") }),
  z.object({ op: z.literal("migrate"), startAt: z.number() }),
  z.object({ op: z.literal("load"), runId: z.string() }),
  z.object({ op: z.literal("claim"), startAt: z.number() }),
  z.object({ op: z.literal("loadPair"), workflowRunId: z.string(), agentRunId: z.string() }),
  z.object({ op: z.literal("claimPair"), startAt: z.number(), agentFirst: z.boolean() }),
]);
type Command = z.infer<typeof commandSchema>;

function openDb(args: readonly string[]): Db & { migrate(): Promise<void> } {
  const [dialect, target, schema] = args;
  if (dialect === "sqlite" && target !== undefined) return new SqliteDb({ dbFile: target });
  if (dialect === "postgres" && target !== undefined && schema !== undefined)
    return new PostgresDb({ dbUrl: target, schema });
  throw new Error("usage: race-child.test-helper.ts sqlite <dbFile> | postgres <dbUrl> <schema>");
}
const db = openDb(process.argv.slice(2));

/** Sleeps most of the way, then spins, so children start within a fraction of a millisecond. */
async function waitUntil(startAt: number): Promise<void> {
  const sleep = startAt - Date.now() - 5;
  if (sleep > 0) await new Promise((resolve) => setTimeout(resolve, sleep));
  while (Date.now() < startAt) {
    // Spin: a timer is too coarse to line the children up.
  }
}

let loaded: RunRecord | null = null;
let pair: RunRecord[] = [];

/** The record a claim writes: the next revision, running, with this process's pid in its state. */
function claimOf(record: RunRecord): RunRecord {
  return {
    ...record,
    revision: record.revision + 1,
    status: "running",
    state: JSON.stringify({ winner: process.pid }),
  };
}

async function handle(command: Command): Promise<Record<string, unknown>> {
  switch (command.op) {
    case "ping":
      return { ok: true };
    case "migrate":
      await waitUntil(command.startAt);
      await db.migrate();
      return { ok: true };
    case "load":
      loaded = await db.getRun("agent", command.runId);
      if (loaded === null) throw new Error(`run '${command.runId}' is not stored`);
      return { ok: true, revision: loaded.revision };
    case "claim": {
      if (loaded === null) throw new Error("claim before load");
      const claim = claimOf(loaded);
      await waitUntil(command.startAt);
      const won = await db.updateRun(claim, loaded.revision);
      return { ok: true, won, pid: process.pid };
    }
    case "loadPair": {
      const workflow = await db.getRun("workflow", command.workflowRunId);
      const agent = await db.getRun("agent", command.agentRunId);
      if (workflow === null || agent === null) throw new Error("the pair is not stored");
      pair = [workflow, agent];
      return { ok: true };
    }
    case "claimPair": {
      const writes = pair.map((record) => ({ record: claimOf(record), expectedRevision: record.revision }));
      if (command.agentFirst) writes.reverse();
      await waitUntil(command.startAt);
      const won = await db.writeRuns(writes);
      return { ok: true, won, pid: process.pid };
    }
    default: {
      const unknownCommand: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknownCommand)}`);
    }
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  let answer: Record<string, unknown>;
  try {
    answer = await handle(commandSchema.parse(JSON.parse(line)));
  } catch (error) {
    answer = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
await db.close();
