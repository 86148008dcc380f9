import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SqliteDb } from "../db/sqlite/index.js";
import { Step } from "./components/step.js";
import { Workflow } from "./workflow.js";

describe("user input fields named like Object.prototype's members", () => {
  it("keeps __proto__ and constructor as own fields through decisions as JSON, a stored run and the step", async () => {
    const directory = mkdtempSync(join(tmpdir(), "kern-proto-"));
    const db = new SqliteDb({ dbFile: join(directory, "kern.db") });
    try {
      const received: Array<Record<string, unknown>> = [];
      const workflow = new Workflow({
        name: "form",
        db,
        steps: [
          new Step({
            name: "ask",
            userInputSchema: [
              { name: "__proto__", type: "string" },
              { name: "constructor", type: "string" },
            ],
            executor: (input) => {
              received.push(input.additionalData["userInput"] as Record<string, unknown>);
              return "ok";
            },
          }),
        ],
      });
      const run = await workflow.run("go");
      const requirementId = run.stepRequirements[0]?.id ?? "";
      // As an HTTP client sends it: JSON.parse makes "__proto__" an own key.
      const values = JSON.parse('{"__proto__":"polluted","constructor":"built"}') as Record<string, unknown>;
      const missing = JSON.parse('{"constructor":"built"}') as Record<string, unknown>;
      await assert.rejects(
        workflow.continueRun({
          runId: run.runId,
          sessionId: run.sessionId,
          decisions: [{ requirementId, decision: { type: "input", values: missing } }],
        }),
        { name: "InvalidResolutionError", message: /'__proto__' is required/ },
      );
      const done = await workflow.continueRun({
        runId: run.runId,
        sessionId: run.sessionId,
        decisions: [{ requirementId, decision: { type: "input", values } }],
      });
      assert.equal(done.status, "completed");
      assert.deepEqual(Object.entries(received[0] ?? {}), [
        ["__proto__", "polluted"],
        ["constructor", "built"],
      ]);
      assert.equal(Object.getPrototypeOf(received[0]), Object.prototype);
      const stored = await workflow.getRunOutput(run.runId, run.sessionId);
      const input = stored.stepRequirements[0]?.userInput ?? {};
      assert.ok(Object.hasOwn(input, "__proto__"), "the stored decision keeps the field");
      assert.equal(Object.getOwnPropertyDescriptor(input, "__proto__")?.value, "polluted");
    } finally {
      await db.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
