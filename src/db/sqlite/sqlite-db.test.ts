import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import Database from "better-sqlite3";
import { ConfigurationError, StoreError } from "../../errors.js";
import { runDbConformance } from "../conformance.test-helper.js";
import { type Child, startChild, stopChild } from "../race-child-process.test-helper.js";
import { makeRecord, nextRecord } from "../records.test-helper.js";
import { SqliteDb } from "./index.js";
import { SQLITE_MIGRATIONS } from "./migrations.js";

function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "kern-sqlite-"));
}

runDbConformance("SqliteDb", async () => {
  const directory = makeTempDir();
  return {
    db: new SqliteDb({ dbFile: path.join(directory, "kern.db") }),
    cleanup: async () => fs.rmSync(directory, { recursive: true, force: true }),
  };
});

/** Reads the file with better-sqlite3 directly, as an outside observer. */
function inspect<T>(dbFile: string, read: (database: Database.Database) => T): T {
  const database = new Database(dbFile, { readonly: true });
  try {
    return read(database);
  } finally {
    database.close();
  }
}

describe("SqliteDb on its own file", () => {
  let directory = "";
  let dbFile = "";
  const opened: SqliteDb[] = [];
  const open = (): SqliteDb => {
    const db = new SqliteDb({ dbFile });
    opened.push(db);
    return db;
  };
  beforeEach(() => {
    directory = makeTempDir();
    dbFile = path.join(directory, "kern.db");
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("opens nothing until first use, then fails with a StoreError naming the file", async () => {
    const missing = path.join(directory, "no-such-dir", "kern.db");
    const db = new SqliteDb({ dbFile: missing });
    new SqliteDb({ dbFile });
    assert.equal(fs.existsSync(dbFile), false);
    await assert.rejects(db.getRun("agent", "x"), (error) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /no-such-dir/);
      assert.ok(error.cause instanceof Error);
      return true;
    });
  });

  it("rejects bad options at construction", () => {
    assert.throws(() => new SqliteDb({ dbFile: "" }), ConfigurationError);
    assert.throws(() => new SqliteDb({ dbFile, busyTimeoutMs: -1 }), ConfigurationError);
  });

  it("records each migration once, and a second open applies nothing again", async () => {
    const readMigrations = (): unknown =>
      inspect(dbFile, (database) => database.prepare("SELECT version, name, applied_at FROM kern_migrations").all());
    await open().migrate();
    const first = readMigrations();
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
    const second = open();
    await second.migrate();
    await second.insertRun(makeRecord());
    assert.deepEqual(readMigrations(), first);
  });

  it("upgrades a version-2 file: drops the unread lease index and keeps every run", async () => {
    const old = new Database(dbFile);
    old.exec(
      "CREATE TABLE kern_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    for (const migration of SQLITE_MIGRATIONS.filter((entry) => entry.version <= 2)) {
      old.exec(migration.sql);
      old.prepare("INSERT INTO kern_migrations VALUES (?, ?, 0)").run(migration.version, migration.name);
    }
    old.close();
    // A run written while the file was at version 2 (through SQL: this kern would migrate first).
    const record = makeRecord();
    const writer = new Database(dbFile);
    writer
      .prepare(
        "INSERT INTO kern_runs (kind, run_id, session_id, user_id, owner_id, status, revision, created_at, " +
          "updated_at, lease_expires_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        record.kind,
        record.runId,
        record.sessionId,
        record.userId,
        record.ownerId,
        record.status,
        record.revision,
        record.createdAt,
        record.updatedAt,
        record.leaseExpiresAt,
        record.state,
      );
    writer.close();
    const before = open();
    const leaseIndex = (): unknown =>
      inspect(dbFile, (database) =>
        database.prepare("SELECT name FROM sqlite_master WHERE name = 'kern_runs_by_lease'").get(),
      );
    assert.deepEqual(leaseIndex(), { name: "kern_runs_by_lease" });
    await before.migrate();
    assert.equal(leaseIndex(), undefined);
    assert.equal((await before.getRun(record.kind, record.runId))?.state, record.state);
  });

  it("keeps its migrations numbered 1, 2, 3, ... in order", () => {
    assert.deepEqual(
      SQLITE_MIGRATIONS.map((migration) => migration.version),
      SQLITE_MIGRATIONS.map((_, index) => index + 1),
    );
    assert.equal(new Set(SQLITE_MIGRATIONS.map((migration) => migration.name)).size, SQLITE_MIGRATIONS.length);
  });

  it("refuses a file migrated by a newer kern", async () => {
    await open().migrate();
    const database = new Database(dbFile);
    database.prepare("INSERT INTO kern_migrations (version, name, applied_at) VALUES (99, 'future', 0)").run();
    database.close();
    await assert.rejects(open().getRun("agent", "x"), (error) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /version 99.*Upgrade kern/s);
      return true;
    });
  });

  it("wraps driver errors in StoreError with the cause", async () => {
    fs.writeFileSync(dbFile, "this is not a database, just enough bytes to look like a header....");
    await assert.rejects(open().migrate(), (error) => {
      assert.ok(error instanceof StoreError);
      assert.equal((error.cause as { code?: unknown } | undefined)?.code, "SQLITE_NOTADB");
      return true;
    });
  });

  it("uses WAL, so readers never block the writer", async () => {
    await open().migrate();
    assert.equal(
      inspect(dbFile, (database) => database.pragma("journal_mode", { simple: true })),
      "wal",
    );
  });

  it("shares one file between two SqliteDb objects, compare-and-set included", async () => {
    const first = open();
    const second = open();
    const stored = makeRecord({ pending: [{ requirementId: "r", requirementKind: "confirmation", summary: "ok?" }] });
    await first.insertRun(stored);
    assert.deepEqual(await second.getRun("agent", "run-1"), stored);
    const claimed = nextRecord(stored, { status: "running", pending: [] });
    assert.equal(await second.updateRun(claimed, 1), true);
    assert.equal(await first.updateRun(nextRecord(stored, { state: "lost" }), 1), false);
    assert.deepEqual(await first.getRun("agent", "run-1"), claimed);
    assert.deepEqual(await first.listPendingRequirements(), []);
    await assert.rejects(second.insertRun(stored), StoreError);
  });
});

// The children start once (each takes a second or two to load) and serve both tests, on one file
// that is fresh when the first test runs; each test stands alone if run by itself.
describe("SqliteDb across processes", { timeout: 120_000 }, () => {
  let directory = "";
  let dbFile = "";
  let children: Child[] = [];
  before(async () => {
    directory = makeTempDir();
    dbFile = path.join(directory, "kern.db");
    children = Array.from({ length: 4 }, () => startChild(["sqlite", dbFile]));
    await Promise.all(children.map((child) => child.ask({ op: "ping" })));
  });
  after(async () => {
    await Promise.all(children.map(stopChild));
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("migrates a fresh file exactly once when 4 processes open it at the same moment", async () => {
    assert.equal(fs.existsSync(dbFile), false);
    const startAt = Date.now() + 100;
    const answers = await Promise.all(children.map((child) => child.ask({ op: "migrate", startAt })));
    assert.deepEqual(
      answers,
      Array.from({ length: 4 }, () => ({ ok: true })),
    );
    const versions = inspect(dbFile, (database) => database.prepare("SELECT version FROM kern_migrations").all());
    assert.deepEqual(versions, [
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
    const parent = new SqliteDb({ dbFile });
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
});
