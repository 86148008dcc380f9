import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { ConfigurationError } from "../../errors.js";
import { SqliteDb, type SqliteDbOptions } from "./index.js";

// SQLite's numbers for the synchronous pragma.
const NORMAL = 1;
const FULL = 2;

describe("SqliteDb synchronous", () => {
  let directory = "";
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "kern-sqlite-sync-"));
  });
  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  /**
   * The pragma is a setting of each connection, invisible to any other: so this reads it back on
   * the very connection the SqliteDb opened, found by watching the pragma calls it makes.
   */
  async function synchronousOf(
    t: TestContext,
    options: Omit<SqliteDbOptions, "dbFile">,
  ): Promise<{ value: unknown; journal: unknown }> {
    const pragma = t.mock.method(Database.prototype, "pragma");
    const db = new SqliteDb({ dbFile: path.join(directory, "kern.db"), ...options });
    try {
      await db.migrate();
      const connections = new Set(pragma.mock.calls.map((call) => call.this));
      assert.equal(connections.size, 1, "the SqliteDb opened one connection");
      const [connection] = connections;
      assert.ok(connection instanceof Database);
      pragma.mock.restore();
      return {
        value: connection.pragma("synchronous", { simple: true }),
        journal: connection.pragma("journal_mode", { simple: true }),
      };
    } finally {
      pragma.mock.restore();
      await db.close();
    }
  }

  it("syncs every commit (FULL) by default", async (t) => {
    assert.deepEqual(await synchronousOf(t, {}), { value: FULL, journal: "wal" });
    assert.deepEqual(await synchronousOf(t, { synchronous: "full" }), { value: FULL, journal: "wal" });
  });

  it("uses NORMAL only when asked to", async (t) => {
    assert.deepEqual(await synchronousOf(t, { synchronous: "normal" }), { value: NORMAL, journal: "wal" });
  });

  it("rejects any other value at construction", () => {
    for (const value of ["FULL", "off", "extra", 2]) {
      const options = { dbFile: path.join(directory, "kern.db"), synchronous: value } as unknown as SqliteDbOptions;
      assert.throws(
        () => new SqliteDb(options),
        (error) => {
          assert.ok(error instanceof ConfigurationError);
          assert.match(error.message, /synchronous must be "full" \(the default.*\) or "normal".*got /s);
          return true;
        },
      );
    }
  });
});
