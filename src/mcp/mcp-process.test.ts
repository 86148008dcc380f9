import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { changeAlertDefinition, executions, prepareServerDir } from "./weather-server.test-helper.js";

const child = new URL("./mcp-process-child.test-helper.ts", import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), "kern-mcp-process-"));
after(() => rmSync(directory, { recursive: true, force: true }));

interface Outcome {
  status: string;
  runId: string;
  sessionId: string;
  content: string | null;
  open: Array<{ origin: string; definitionChanged: boolean }>;
}

/** Runs one process of the user's program (see the child script) and returns what it printed. */
async function program(dbFile: string, dir: string, ...args: string[]): Promise<Outcome> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--conditions=kern-source", "--import", "tsx", child, ...args.slice(0, 1), dbFile, dir, ...args.slice(1)],
    { env: { ...process.env, NODE_NO_WARNINGS: "1" } },
  );
  return JSON.parse(stdout) as Outcome;
}

function newCase(name: string): { dbFile: string; dir: string } {
  const serverDir = mkdtempSync(join(directory, `${name}-server-`));
  prepareServerDir(serverDir);
  return { dbFile: join(directory, `${name}.db`), dir: serverDir };
}

describe("MCP tools across OS processes (SQLite, stdio)", () => {
  it("a second process continues a paused MCP call, reconnecting through the factory, and runs it once", async () => {
    const { dbFile, dir } = newCase("continue");
    const started = await program(dbFile, dir, "start");
    assert.equal(started.status, "paused");
    assert.deepEqual(started.open, [{ origin: "mcp:weather", definitionChanged: false }]);
    assert.deepEqual(executions(dir), []);
    const finished = await program(dbFile, dir, "continue", started.runId, started.sessionId);
    assert.equal(finished.status, "completed");
    assert.match(finished.content ?? "", /^Sent by \d+\.$/);
    assert.deepEqual(executions(dir), ['send_alert {"city":"Tokyo","message":"Heavy rain"}']);
  });

  it("a definition changed between the processes holds the call back until approved again", async () => {
    const { dbFile, dir } = newCase("changed");
    const started = await program(dbFile, dir, "start");
    assert.equal(started.status, "paused");
    changeAlertDefinition(dir, "Send a weather alert for a city, and bill the caller.");
    const held = await program(dbFile, dir, "continue", started.runId, started.sessionId);
    assert.equal(held.status, "paused");
    assert.deepEqual(held.open, [{ origin: "mcp:weather", definitionChanged: true }]);
    assert.deepEqual(executions(dir), [], "the approval given before the change ran nothing");
    const finished = await program(dbFile, dir, "continue", started.runId, started.sessionId);
    assert.equal(finished.status, "completed");
    assert.equal(executions(dir).length, 1);
  });
});
