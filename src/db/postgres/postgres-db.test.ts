import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { after, afterEach, before, describe, it } from "node:test";
import pg from "pg";
import { requirePrerequisite } from "../../../scripts/test-prerequisites.mjs";
import { ConfigurationError, StoreError } from "../../errors.js";
import { runDbConformance } from "../conformance.test-helper.js";
import { type Child, startChild, stopChild } from "../race-child-process.test-helper.js";
import { makeRecord, nextRecord } from "../records.test-helper.js";
import { PostgresDb, type PostgresDbOptions } from "./index.js";
import { POSTGRES_MIGRATIONS } from "./migrations.js";

const dbUrl = process.env["KERN_TEST_POSTGRES_URL"] ?? "";
// These tests need a server. scripts/run-tests.mjs (npm test) starts a throwaway one from the
// machine's PostgreSQL binaries, and .ci/run installs them; without a server the file fails,
// unless KERN_TEST_ALLOW_MISSING=postgres says to skip it knowingly.
const skip = requirePrerequisite("postgres");

/** A schema name no other test uses; each test works in its own and drops it afterwards. */
function freshSchema(): string {
  return `kern_test_${randomBytes(6).toString("hex")}`;
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  assert.ok(typeof address === "object" && address !== null);
  return address.port;
}

let admin: pg.Pool | undefined;
/** The tests' own pool, to look at the database from outside and to drop schemas. */
const adminPool = (): pg.Pool => (admin ??= new pg.Pool({ connectionString: dbUrl, max: 2 }));
const query = async (sql: string): Promise<unknown[]> => (await adminPool().query(sql)).rows;
const dropSchema = async (schema: string): Promise<void> => {
  await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
};
const schemaExists = async (schema: string): Promise<boolean> =>
  (await adminPool().query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema])).rowCount === 1;

describe("PostgresDb", { skip }, () => {
  after(async () => {
    await admin?.end();
  });

  runDbConformance("PostgresDb", async () => {
    const schema = freshSchema();
    return { db: new PostgresDb({ dbUrl, schema }), cleanup: () => dropSchema(schema) };
  });

  describe("PostgresDb on its own schema", () => {
    let schema = "";
    const opened: PostgresDb[] = [];
    const open = (options: Partial<PostgresDbOptions> = {}): PostgresDb => {
      const db = new PostgresDb({ dbUrl, schema, ...options } as PostgresDbOptions);
      opened.push(db);
      return db;
    };
    before(() => {
      schema = freshSchema();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((db) => db.close()));
      await dropSchema(schema);
      schema = freshSchema();
    });

    it("connects to nothing until first use, then fails with a StoreError that hides the password", async () => {
      const port = await closedPort();
      const db = open({ dbUrl: `postgres://kern:s3cret@127.0.0.1:${port}/kern` });
      open();
      assert.equal(await schemaExists(schema), false);
      await assert.rejects(db.getRun("agent", "x"), (error) => {
        assert.ok(error instanceof StoreError);
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}/kern.*ECONNREFUSED.*server is running`, "s"));
        assert.doesNotMatch(error.message, /s3cret/);
        assert.ok(error.cause instanceof Error);
        return true;
      });
    });

    it("rejects bad options at construction", () => {
      assert.throws(() => new PostgresDb({ dbUrl: "" }), ConfigurationError);
      assert.throws(() => new PostgresDb({ dbUrl, schema: "kern-test" }), ConfigurationError);
      assert.throws(() => new PostgresDb({ dbUrl, schema: "k".repeat(64) }), ConfigurationError);
      assert.throws(() => new PostgresDb({ dbUrl, maxConnections: 0 }), ConfigurationError);
      assert.throws(() => new PostgresDb({ dbUrl, maxConnections: 1.5 }), ConfigurationError);
      const both = { dbUrl, pool: adminPool() } as unknown as PostgresDbOptions;
      assert.throws(() => new PostgresDb(both), ConfigurationError);
    });

    it("creates the schema and applies each migration once when two objects migrate at once", async () => {
      const readMigrations = (): Promise<unknown[]> =>
        query(`SELECT version, name, applied_at FROM "${schema}".kern_migrations ORDER BY version`);
      await Promise.all([open().migrate(), open().migrate(), open().getRun("agent", "x")]);
      const first = await readMigrations();
      assert.deepEqual(
        (first as Array<{ version: number; name: string }>).map(({ version, name }) => ({ version, name })),
        [
          { version: 1, name: "initial" },
          { version: 2, name: "inbox_by_requirement_kind" },
          { version: 3, name: "drop_runs_by_lease" },
          { version: 4, name: "decisions" },
          { version: 5, name: "grants" },
          { version: 6, name: "outbox" },
          { version: 7, name: "run_events" },
        ],
      );
      const later = open();
      await later.migrate();
      await later.insertRun(makeRecord());
      assert.deepEqual(await readMigrations(), first);
    });

    it("keeps its migrations numbered 1, 2, 3, ... in order", () => {
      assert.deepEqual(
        POSTGRES_MIGRATIONS.map((migration) => migration.version),
        POSTGRES_MIGRATIONS.map((_, index) => index + 1),
      );
      assert.equal(new Set(POSTGRES_MIGRATIONS.map((migration) => migration.name)).size, POSTGRES_MIGRATIONS.length);
    });

    it("refuses a schema migrated by a newer kern", async () => {
      await open().migrate();
      await query(`INSERT INTO "${schema}".kern_migrations (version, name, applied_at) VALUES (99, 'future', 0)`);
      await assert.rejects(open().getRun("agent", "x"), (error) => {
        assert.ok(error instanceof StoreError);
        assert.match(error.message, /version 99.*Upgrade kern/s);
        return true;
      });
    });

    it("wraps driver errors in StoreError with the cause", async () => {
      const db = open();
      await db.migrate();
      await query(`DROP TABLE "${schema}".kern_pending_requirements`);
      await assert.rejects(db.getRun("agent", "x"), (error) => {
        assert.ok(error instanceof StoreError);
        assert.equal((error.cause as { code?: unknown } | undefined)?.code, "42P01");
        return true;
      });
    });

    it("shares one schema between two PostgresDb objects, compare-and-set included", async () => {
      const first = open();
      const second = open();
      const stored = makeRecord({
        state: '{ "text": "grüße 👋", "spaced" :  [1,2] }\n',
        pending: [{ requirementId: "r", requirementKind: "confirmation", summary: "ok?" }],
      });
      await first.insertRun(stored);
      assert.deepEqual(await second.getRun("agent", "run-1"), stored);
      const claimed = nextRecord(stored, { status: "running", pending: [] });
      assert.equal(await second.updateRun(claimed, 1), true);
      assert.equal(await first.updateRun(nextRecord(stored, { state: "lost" }), 1), false);
      assert.deepEqual(await first.getRun("agent", "run-1"), claimed);
      assert.deepEqual(await first.listPendingRequirements(), []);
      await assert.rejects(second.insertRun(stored), StoreError);
    });

    it("uses a given pool without changing its connections, and leaves it open on close()", async () => {
      const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
      try {
        const db = new PostgresDb({ pool, schema });
        await db.insertRun(makeRecord());
        await db.close();
        const rows = (await pool.query<{ search_path: string }>("SHOW search_path")).rows;
        assert.deepEqual(rows, [{ search_path: '"$user", public' }]);
        assert.equal((await query(`SELECT run_id FROM "${schema}".kern_runs`)).length, 1);
        await assert.rejects(db.getRun("agent", "run-1"), StoreError);
      } finally {
        await pool.end();
      }
    });
  });

  registerCrossProcessTests();
});

// The children start once (each takes a second or two to load) and serve both tests, on one
// schema that is fresh when the first test runs; each test stands alone if run by itself.
function registerCrossProcessTests(): void {
  describe("PostgresDb across processes", { timeout: 120_000 }, () => {
    const schema = freshSchema();
    let children: Child[] = [];
    before(async () => {
      children = Array.from({ length: 4 }, () => startChild(["postgres", dbUrl, schema]));
      await Promise.all(children.map((child) => child.ask({ op: "ping" })));
    });
    after(async () => {
      await Promise.all(children.map(stopChild));
      await dropSchema(schema);
    });

    it("migrates a fresh schema exactly once when 4 processes open it at the same moment", async () => {
      assert.equal(await schemaExists(schema), false);
      const startAt = Date.now() + 100;
      const answers = await Promise.all(children.map((child) => child.ask({ op: "migrate", startAt })));
      assert.deepEqual(
        answers,
        Array.from({ length: 4 }, () => ({ ok: true })),
      );
      assert.deepEqual(await query(`SELECT version FROM "${schema}".kern_migrations`), [
        { version: 1 },
        { version: 2 },
        { version: 3 },
        { version: 4 },
        { version: 5 },
        { version: 6 },
        { version: 7 },
      ]);
    });

    it("lets exactly one of 4 processes claim the same revision, 5 times over", async () => {
      const parent = new PostgresDb({ dbUrl, schema });
      try {
        for (let round = 0; round < 5; round += 1) {
          const runId = `race-${round}`;
          await parent.insertRun(makeRecord({ runId, revision: 1 }));
          const loads = await Promise.all(children.map((child) => child.ask({ op: "load", runId })));
          assert.deepEqual(
            loads,
            Array.from({ length: 4 }, () => ({ ok: true, revision: 1 })),
          );
          // Every child now holds revision 1; they all try to claim it at the same moment.
          const startAt = Date.now() + 100;
          const answers = await Promise.all(children.map((child) => child.ask({ op: "claim", startAt })));
          assert.ok(
            answers.every((answer) => answer.ok === true),
            JSON.stringify(answers),
          );
          const winners = answers.filter((answer) => answer.won === true);
          assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(answers)}`);
          const stored = await parent.getRun("agent", runId);
          assert.equal(stored?.revision, 2);
          assert.equal(stored?.state, JSON.stringify({ winner: winners[0]?.pid }));
        }
      } finally {
        await parent.close();
      }
    });

    // A workflow step's continue claims the workflow run and its agent run in one writeRuns().
    // Half the children list the agent run first: the store must lock in its own order, or two
    // claims each hold one row and wait for the other (40P01, no winner).
    it("lets exactly one of 4 processes claim the same (workflow, agent) pair, 30 times over", async () => {
      const parent = new PostgresDb({ dbUrl, schema });
      try {
        for (let round = 0; round < 30; round += 1) {
          const workflowRunId = `pair-w-${round}`;
          const agentRunId = `pair-a-${round}`;
          await parent.writeRuns([
            { record: makeRecord({ kind: "workflow", runId: workflowRunId, ownerId: "wf" }), expectedRevision: null },
            { record: makeRecord({ runId: agentRunId }), expectedRevision: null },
          ]);
          await Promise.all(children.map((child) => child.ask({ op: "loadPair", workflowRunId, agentRunId })));
          const startAt = Date.now() + 50;
          const answers = await Promise.all(
            children.map((child, index) => child.ask({ op: "claimPair", startAt, agentFirst: index % 2 === 1 })),
          );
          assert.ok(
            answers.every((answer) => answer.ok === true),
            `round ${round}: ${JSON.stringify(answers)}`,
          );
          const winners = answers.filter((answer) => answer.won === true);
          assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(answers)}`);
          const winner = JSON.stringify({ winner: winners[0]?.pid });
          for (const [kind, runId] of [
            ["workflow", workflowRunId],
            ["agent", agentRunId],
          ] as const) {
            const stored = await parent.getRun(kind, runId);
            assert.deepEqual([stored?.revision, stored?.state], [2, winner], `round ${round}: the ${kind} run`);
          }
        }
      } finally {
        await parent.close();
      }
    });
  });
}
