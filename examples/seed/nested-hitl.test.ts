import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { requestBody, startFakeResponsesServer } from "../../src/models/openai/responses-fake-server.test-helper.js";

const run = promisify(execFile);
const script = new URL("./nested-hitl.ts", import.meta.url).pathname;
// The program runs in a temp folder (its workflow.db is relative), so resolve tsx from here.
const tsx = import.meta.resolve("tsx");

describe("the seed example, run as written", () => {
  it("pauses twice, sends the alert once through the real SDK against a loopback fake, and stores the runs in workflow.db", async () => {
    const fake = await startFakeResponsesServer();
    const cwd = mkdtempSync(join(tmpdir(), "kern-seed-"));
    try {
      fake.enqueue({
        toolCalls: [
          { callId: "call_1", name: "send_alert", arguments: { city: "Tokyo", message: "Heavy rain tonight" } },
        ],
      });
      fake.enqueue({ text: "The alert for Tokyo has been sent." });
      const { stdout } = await run(process.execPath, ["--conditions=kern-source", "--import", tsx, script], {
        cwd,
        env: { ...process.env, NODE_NO_WARNINGS: "1", OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.baseURL },
      });
      assert.equal(stdout.trim(), "The alert for Tokyo has been sent.");
      assert.equal(fake.requests.length, 2);
      const followUp = requestBody(fake.requests[1]);
      const input = Array.isArray(followUp["input"]) ? followUp["input"] : [];
      assert.deepEqual(input.at(-1), {
        type: "function_call_output",
        call_id: "call_1",
        output: "Alert sent for Tokyo: Heavy rain tonight",
      });
      const db = new Database(join(cwd, "workflow.db"), { readonly: true });
      const rows = db.prepare("SELECT kind, status FROM kern_runs ORDER BY kind").all();
      db.close();
      assert.deepEqual(rows, [
        { kind: "agent", status: "completed" },
        { kind: "workflow", status: "completed" },
      ]);
    } finally {
      await fake.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
