import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import pg from "pg";
import { requirePrerequisite } from "../../../scripts/test-prerequisites.mjs";
import { ConfigurationError, StoreError, StoreTimeoutError } from "../../errors.js";
import { makeRecord, nextRecord } from "../records.test-helper.js";
import { PostgresDb, type PostgresDbOptions } from "./index.js";
import {
  freezeBackend,
  startCommitBlackhole,
  startSilentServer,
  timeRejection,
  waitFor,
  withApplicationName,
} from "./timeouts.test-helper.js";

// Every test but the first two needs a server; without one the file fails, unless
// KERN_TEST_ALLOW_MISSING=postgres says to skip them knowingly. npm test (scripts/run-tests.mjs)
// starts a throwaway one and sets KERN_TEST_POSTGRES_URL.
const skip = requirePrerequisite("postgres");
function serverUrl(): string {
  const url = process.env["KERN_TEST_POSTGRES_URL"] ?? "";
  assert.notEqual(
    url,
    "",
    "KERN_TEST_POSTGRES_URL is not set: run the tests with npm test on a machine with the PostgreSQL server binaries, or point it at a server",
  );
  return url;
}

/** Each test works in its own schema, under its own application_name, and cleans both up. */
function scene(): { schema: string; name: string; url: string } {
  const suffix = randomBytes(6).toString("hex");
  return {
    schema: `kern_timeout_${suffix}`,
    name: `kern_timeout_${suffix}`,
    url: withApplicationName(serverUrl(), `kern_timeout_${suffix}`),
  };
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
let admin: pg.Pool | undefined;
const adminPool = (): pg.Pool => (admin ??= new pg.Pool({ connectionString: serverUrl(), max: 3 }));
cleanups.push(() => admin?.end());

function open(options: PostgresDbOptions, schema: string): PostgresDb {
  const db = new PostgresDb(options);
  cleanups.push(async () => {
    await db.close();
    await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
  return db;
}

/** A second session that holds the run's row lock (SELECT … FOR UPDATE) until `release()`. */
async function lockRun(schema: string, runId: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`SELECT 1 FROM "${schema}".kern_runs WHERE kind = 'agent' AND run_id = $1 FOR UPDATE`, [runId]);
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    await client.query("ROLLBACK");
    await client.end();
  };
  cleanups.push(release);
  return { release };
}

const sessions = async (name: string): Promise<Array<{ pid: number; state: string; waiting: string | null }>> =>
  (
    await adminPool().query<{ pid: number; state: string; waiting: string | null }>(
      "SELECT pid, state, wait_event_type AS waiting FROM pg_stat_activity WHERE application_name = $1",
      [name],
    )
  ).rows;

function assertTimeout(error: unknown, pattern: RegExp): asserts error is StoreTimeoutError {
  assert.ok(error instanceof StoreTimeoutError, `expected StoreTimeoutError, got ${String(error)}`);
  assert.ok(error instanceof StoreError);
  assert.equal(error.code, "KERN_STORE_TIMEOUT");
  assert.match(error.message, pattern);
  assert.ok(error.cause instanceof Error);
}

describe("PostgresDb timeouts", { timeout: 30_000 }, () => {
  it("rejects bad timeout options at construction, with the fix in the message", () => {
    const dbUrl = "postgres://localhost/kern";
    for (const value of [0, -1, 1.5, Number.NaN, 86_400_001, "300" as unknown as number]) {
      assert.throws(
        () => new PostgresDb({ dbUrl, connectTimeoutMs: value }),
        /connectTimeoutMs must be a whole number of milliseconds from 1 to 86400000.*connectTimeoutMs: 10000/s,
      );
      assert.throws(() => new PostgresDb({ dbUrl, statementTimeoutMs: value }), ConfigurationError);
    }
    const pool = new pg.Pool();
    const withPool = { pool, connectTimeoutMs: 300 } as unknown as PostgresDbOptions;
    assert.throws(() => new PostgresDb(withPool), /connectionTimeoutMillis/);
    assert.doesNotThrow(() => new PostgresDb({ pool, statementTimeoutMs: 300 }));
    assert.doesNotThrow(() => new PostgresDb({ dbUrl, connectTimeoutMs: 1, statementTimeoutMs: 86_400_000 }));
  });

  // These limits are the driver's and the server's, on real time: the lower bounds are the
  // limits themselves; the upper bounds only say the call did not hang (a loaded machine may stall).
  it("gives up on a server that accepts connections and never answers after connectTimeoutMs", async () => {
    const silent = await startSilentServer();
    cleanups.push(silent.close);
    const db = new PostgresDb({ dbUrl: `postgres://kern:s3cret@127.0.0.1:${silent.port}/kern`, connectTimeoutMs: 300 });
    cleanups.push(() => db.close());
    for (const operation of ["migrate", "getRun"] as const) {
      const call = () => (operation === "migrate" ? db.migrate() : db.getRun("agent", "run-1"));
      const { elapsedMs, error } = await timeRejection(call);
      const stored = operation === "migrate" ? " Nothing was stored\\." : "";
      assertTimeout(
        error,
        new RegExp(
          `${operation}\\(\\) timed out on '127\\.0\\.0\\.1:${silent.port}/kern'.*no connection was established within 300 ms \\(connectTimeoutMs\\)\\.${stored} Check that the server is running`,
          "s",
        ),
      );
      assert.doesNotMatch(error.message, /s3cret/);
      assert.ok(elapsedMs >= 280 && elapsedMs < 5_000, `${operation} took ${elapsedMs} ms`);
    }
    assert.equal(silent.accepted(), 2);
    await waitFor("kern to close both connections it gave up on", () => silent.open() === 0, 1_000);
  });

  it("lets the server cancel a statement stuck on a lock after statementTimeoutMs, storing nothing", {
    skip,
  }, async () => {
    const { schema, name, url } = scene();
    const db = open({ dbUrl: url, schema, statementTimeoutMs: 300 }, schema);
    const stored = makeRecord();
    await db.insertRun(stored);
    const lock = await lockRun(schema, stored.runId);
    const { elapsedMs, error } = await timeRejection(
      db.updateRun(nextRecord(stored, { status: "running", state: "changed" }), 1),
    );
    assertTimeout(
      error,
      /updateRun\(\) timed out on '127\.0\.0\.1:\d+\/postgres' \(schema 'kern_timeout_\w+'\): the server cancelled a statement .*statementTimeoutMs 300 ms.*\(57014\)\. It was rolled back: nothing was stored\..*pg_stat_activity/s,
    );
    assert.equal((error.cause as { code?: unknown }).code, "57014");
    // The server cancelled it (57014 above), not kern's own limit at 1300 ms.
    assert.ok(elapsedMs >= 280 && elapsedMs < 5_000, `updateRun took ${elapsedMs} ms`);
    await lock.release();
    assert.deepEqual(await db.getRun("agent", stored.runId), stored);
    // The connection went back rolled back and idle, and serves the next call.
    assert.deepEqual(
      (await sessions(name)).map((session) => session.state),
      ["idle"],
    );
    assert.equal(await db.updateRun(nextRecord(stored, { status: "running" }), 1), true);
  });

  it("times out waiting for a free connection when every one stays busy", { skip }, async () => {
    const { schema, url } = scene();
    const db = open(
      { dbUrl: url, schema, maxConnections: 1, connectTimeoutMs: 300, statementTimeoutMs: 2_000 },
      schema,
    );
    const stored = makeRecord();
    await db.insertRun(stored);
    const lock = await lockRun(schema, stored.runId);
    const stuck = db.updateRun(nextRecord(stored, { status: "running" }), 1);
    const { elapsedMs, error } = await timeRejection(db.getRun("agent", stored.runId));
    assertTimeout(
      error,
      /getRun\(\) timed out .*all 1 \(maxConnections\) connections stayed busy, and none came free within 300 ms \(connectTimeoutMs\)/s,
    );
    assert.ok(elapsedMs >= 280 && elapsedMs < 5_000, `getRun took ${elapsedMs} ms`);
    await lock.release();
    assert.equal(await stuck, true);
  });

  it("closes a connection whose server stops answering mid-transaction; the transaction stores nothing", {
    skip,
  }, async () => {
    const { schema, name, url } = scene();
    // A pool of the caller's with no timeouts of its own: kern's per-query limit still applies.
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    const removed: Array<number | undefined> = [];
    pool.on("remove", (client) => removed.push((client as pg.PoolClient & { processID?: number }).processID));
    cleanups.push(() => pool.end());
    const db = open({ pool, schema, statementTimeoutMs: 600 }, schema);
    const stored = makeRecord();
    await db.insertRun(stored);
    const lock = await lockRun(schema, stored.runId);
    const update = timeRejection(db.updateRun(nextRecord(stored, { status: "running", state: "changed" }), 1));
    // Freeze kern's backend while its UPDATE waits for the lock, before the server's 600 ms cancel.
    let waiting: number | undefined;
    await waitFor(
      "kern's UPDATE to wait for the lock",
      async () => {
        waiting = (await sessions(name)).find((session) => session.waiting === "Lock")?.pid;
        return waiting !== undefined;
      },
      400,
    );
    assert.ok(waiting !== undefined);
    const resume = freezeBackend(waiting);
    cleanups.push(resume);
    const { elapsedMs, error } = await update;
    assertTimeout(
      error,
      /updateRun\(\) timed out .*did not answer a statement within 1600 ms \(statementTimeoutMs \+ 1000 ms\), so kern closed the connection\. Its transaction never reached COMMIT.*nothing was stored/s,
    );
    assert.ok(elapsedMs >= 1_550 && elapsedMs < 5_000, `updateRun took ${elapsedMs} ms`);
    await waitFor("the pool to drop the frozen connection", () => removed.includes(waiting), 1_000);
    // While the backend is still frozen, the next call gets a new connection and sees the old run.
    assert.deepEqual(await db.getRun("agent", stored.runId), stored);
    resume();
    await lock.release();
    await waitFor(
      "the frozen backend to exit",
      async () => !(await sessions(name)).some((session) => session.pid === waiting),
    );
    assert.deepEqual(await db.getRun("agent", stored.runId), stored);
  });

  it("says the write may be stored when COMMIT went unanswered, and a retry then changes nothing", {
    skip,
  }, async () => {
    const { schema, url } = scene();
    const blackhole = await startCommitBlackhole(new URL(url));
    cleanups.push(blackhole.close);
    const db = open({ dbUrl: blackhole.url.toString(), schema, statementTimeoutMs: 300 }, schema);
    const direct = open({ dbUrl: url, schema }, schema);
    const stored = makeRecord();
    await db.insertRun(stored);
    blackhole.arm();
    const claimed = nextRecord(stored, { status: "running", state: "claimed" });
    const { elapsedMs, error } = await timeRejection(db.updateRun(claimed, 1));
    assertTimeout(
      error,
      /updateRun\(\) timed out .*did not answer a statement within 1300 ms.*The write had reached the server, which may still have stored it: read the run back with getRun\(\)/s,
    );
    assert.ok(elapsedMs >= 1_250 && elapsedMs < 5_000, `updateRun took ${elapsedMs} ms`);
    // Here the server did commit it; compare-and-set makes the retry a no-op rather than a second write.
    assert.deepEqual(await direct.getRun("agent", stored.runId), claimed);
    assert.equal(await direct.updateRun(claimed, 1), false);
  });

  it("gives up on an idle connection whose server stopped answering, then recovers", { skip }, async () => {
    const { schema, name, url } = scene();
    const db = open({ dbUrl: url, schema, maxConnections: 1, statementTimeoutMs: 300 }, schema);
    const stored = makeRecord();
    await db.insertRun(stored);
    const [session] = await sessions(name);
    assert.ok(session !== undefined);
    const resume = freezeBackend(session.pid);
    cleanups.push(resume);
    try {
      const { elapsedMs, error } = await timeRejection(db.getRun("agent", stored.runId));
      assertTimeout(
        error,
        /getRun\(\) timed out .*did not answer a statement within 1300 ms.*kern closed the connection\. Check that the server is alive/s,
      );
      assert.doesNotMatch(error.message, /stored/);
      assert.ok(elapsedMs >= 1_250 && elapsedMs < 5_000, `getRun took ${elapsedMs} ms`);
      // The only connection was dropped, so the pool of 1 opens a new one.
      assert.deepEqual(await db.getRun("agent", stored.runId), stored);
    } finally {
      resume();
    }
  });
});
