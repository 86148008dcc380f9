import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import pg from "pg";
import { requirePrerequisite } from "../../scripts/test-prerequisites.mjs";
import type { Db } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { PostgresDb } from "../db/postgres/index.js";
import { Workflow } from "./workflow.js";
import { Counter, countedStep, gatedAgent } from "./workflow.test-helper.js";

const dbUrl = process.env["KERN_TEST_POSTGRES_URL"] ?? "";

/** Every store the check must hold for: PostgreSQL is the one that refuses a NUL inside the database. */
const STORES: Array<{
  name: string;
  skip: false | string;
  open: () => Promise<{ db: Db; dispose: () => Promise<void> }>;
}> = [
  { name: "InMemoryDb", skip: false, open: async () => ({ db: new InMemoryDb(), dispose: async () => undefined }) },
  {
    name: "PostgresDb",
    skip: requirePrerequisite("postgres"),
    open: async () => {
      assert.notEqual(dbUrl, "", "KERN_TEST_POSTGRES_URL is set (npm test starts a throwaway PostgreSQL)");
      const schema = `kern_input_${randomBytes(6).toString("hex")}`;
      const db = new PostgresDb({ dbUrl, schema, maxConnections: 2 });
      return {
        db,
        dispose: async () => {
          await db.close();
          const admin = new pg.Pool({ connectionString: dbUrl, max: 1 });
          await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
          await admin.end();
        },
      };
    },
  },
];

/** `depth` objects nested in each other. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 1; level < depth; level += 1) value = { inner: value };
  return value;
}

for (const store of STORES) {
  describe(`what run() refuses before anything runs or is stored (${store.name})`, { skip: store.skip }, () => {
    it("ids a store cannot hold, data too deep, large or not JSON, each with InvalidInputError naming the field", async (t) => {
      const { db, dispose } = await store.open();
      t.after(dispose);
      const counter = new Counter();
      const workflow = new Workflow({ name: "w", db, steps: [countedStep("charge", counter)] });
      const { agent } = gatedAgent("AlertAgent", counter, db);
      const bad: Array<[string, () => Promise<unknown>, RegExp]> = [
        ["sessionId", () => workflow.run("in", { sessionId: "s\u0000" }), /control character \(such as NUL\)/],
        ["userId", () => workflow.run("in", { userId: "u\u0000" }), /control character/],
        ["runId", () => workflow.run("in", { runId: "x".repeat(256) }), /at most 255/],
        ["userId", () => agent.run("in", { userId: "\udc00lone" }), /lone surrogate/],
        ["sessionId", () => agent.run("in", { sessionId: "" }), /non-empty string/],
        [
          "additionalData.inner",
          () => workflow.run("in", { additionalData: nested(5000) }),
          /more than 64 levels deep/,
        ],
        [
          "additionalData",
          () => workflow.run("in", { additionalData: { blob: "x".repeat(1024 * 1024 + 1) } }),
          /at most 1048576/,
        ],
        ["additionalData.when", () => workflow.run("in", { additionalData: { when: new Date(0) } }), /Date object/],
        ["additionalData.count", () => workflow.run("in", { additionalData: { count: Number.NaN } }), /finite number/],
        ["workflow.run(input)", () => workflow.run("x".repeat(1024 * 1024 + 1)), /at most 1048576 bytes/],
      ];
      for (const [field, call, message] of bad) {
        await assert.rejects(call(), (error: unknown) => {
          assert.equal((error as { name?: string }).name, "InvalidInputError");
          assert.ok(
            ((error as { field?: string }).field ?? "").startsWith(field),
            `${field}: ${(error as { field?: string }).field}`,
          );
          assert.match((error as Error).message, message);
          return true;
        });
      }
      assert.deepEqual(await db.listRuns(), [], "nothing was stored");
      assert.equal(counter.of("charge"), 0, "nothing ran");
      // A value that fits is stored as given.
      const done = await workflow.run("in", { additionalData: nested(60), sessionId: "s\u00e9ssion-\u{1F600}" });
      assert.equal(done.status, "completed");
      assert.equal(done.sessionId, "s\u00e9ssion-\u{1F600}");
    });
  });
}
