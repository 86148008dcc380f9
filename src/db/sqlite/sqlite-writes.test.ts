import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import Database from "better-sqlite3";
import { makeRecord, nextRecord } from "../records.test-helper.js";
import { SqliteDb } from "./index.js";

const pending = [
  { requirementId: "r1", requirementKind: "confirmation", summary: "Send it?" },
  { requirementId: "r2", requirementKind: "input", summary: "Which channel?" },
];

// Triggers record every row SQLite rewrites, as an outside observer of the file.
const WATCH = `
  CREATE TABLE rewrites (tablename TEXT, id TEXT);
  CREATE TRIGGER pending_rewritten AFTER UPDATE ON kern_pending_requirements
    BEGIN INSERT INTO rewrites VALUES ('pending', new.requirement_id); END;
  CREATE TRIGGER session_rewritten AFTER UPDATE ON kern_sessions
    BEGIN INSERT INTO rewrites VALUES ('session', new.session_id); END;
`;

describe("SqliteDb writes", () => {
  let directory = "";
  let db: SqliteDb | undefined;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "kern-sqlite-"));
  });
  afterEach(async () => {
    await db?.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("leaves a pending row and a session row that did not change as they are", async () => {
    const dbFile = path.join(directory, "kern.db");
    db = new SqliteDb({ dbFile });
    const record = makeRecord({ pending, updatedAt: 5_000 });
    await db.insertRun(record);
    const observer = new Database(dbFile);
    try {
      observer.exec(WATCH);
      const changed = [pending[0], { ...(pending[1] as (typeof pending)[number]), summary: "Which room?" }];
      await db.updateRun(nextRecord(record, { pending: changed as typeof pending, updatedAt: 6_000 }), 1);
      // An older run of the same session changes neither the session's user nor its updated_at.
      await db.insertRun(makeRecord({ runId: "run-2", updatedAt: 4_000 }));
      assert.deepEqual(observer.prepare("SELECT tablename, id FROM rewrites").all(), [
        { tablename: "pending", id: "r2" },
      ]);
    } finally {
      observer.close();
    }
    const inbox = await db.listPendingRequirements();
    assert.deepEqual(
      inbox.map((row) => [row.requirementId, row.summary, row.createdAt]),
      [
        ["r1", "Send it?", 5_000],
        ["r2", "Which room?", 5_000],
      ],
    );
    assert.deepEqual(
      (await db.listOutbox()).map((entry) => entry.requirementId),
      ["r1", "r2"],
      "one pause event per requirement, as before",
    );
  });
});
