// Counts what one cycle writes to durable storage, in an untimed pass after the timed cycles.
// SQLite: the WAL file is emptied by a TRUNCATE checkpoint before each counted cycle, then read:
// every frame is one page written, and a frame whose "database size" field is set ends a commit.
// PostgreSQL: the WAL between the insert position before the cycle and the flush position after
// it, read with pg_walinspect: its length in bytes, its commit records, its full-page images.
import fs from "node:fs";

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** `{ frames, commits, pageSize }` of the WAL file's frames that belong to its current header. */
export function readWal(file) {
  let bytes;
  try {
    bytes = fs.readFileSync(`${file}-wal`);
  } catch {
    return { frames: 0, commits: 0, pageSize: 0 };
  }
  if (bytes.length < WAL_HEADER) return { frames: 0, commits: 0, pageSize: 0 };
  const pageSize = bytes.readUInt32BE(8);
  const salt = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  let frames = 0;
  let commits = 0;
  for (let offset = WAL_HEADER; offset + FRAME_HEADER + pageSize <= bytes.length; offset += FRAME_HEADER + pageSize) {
    // Frames left over from an earlier use of the file carry another salt: the log ends there.
    if (bytes.readUInt32BE(offset + 8) !== salt[0] || bytes.readUInt32BE(offset + 12) !== salt[1]) break;
    frames += 1;
    if (bytes.readUInt32BE(offset + 4) !== 0) commits += 1;
  }
  return { frames, commits, pageSize };
}

/**
 * A counter on one SQLite file. `checkpoint()` runs `PRAGMA wal_checkpoint(TRUNCATE)` on a
 * connection of the target's own SQLite library and resolves to its `{ busy, log, checkpointed }`.
 */
export function sqliteCounter({ file, checkpoint }) {
  let start = null;
  return {
    async begin() {
      const result = await checkpoint();
      start = Number(result?.busy ?? 1) === 0 ? readWal(file) : null;
    },
    /** Pages written since begin(), for the per-commit breakdown. */
    async mark() {
      return start === null ? null : { pages: readWal(file).frames - start.frames };
    },
    /** `{ commits, pages, bytes }` since begin(), or null when the checkpoint could not empty the log. */
    async end() {
      if (start === null) return null;
      const now = readWal(file);
      if (now.frames < start.frames) return null; // the log was reset during the cycle
      const pages = now.frames - start.frames;
      return { commits: now.commits - start.commits, pages, bytes: pages * (now.pageSize + FRAME_HEADER) };
    },
    close: async () => undefined,
  };
}

/**
 * Counts the round trips to PostgreSQL (each `Client.query` waits for the server's answer before
 * the next) of every pg copy in this process, the counter's own client aside.
 */
async function roundTrips(own) {
  const { createRequire } = await import("node:module");
  const copies = new Set([(await import("pg")).default, createRequire(import.meta.resolve("kern/db/postgres"))("pg")]);
  let count = 0;
  for (const pg of copies) {
    const original = pg.Client.prototype.query;
    if (original.counted) continue;
    pg.Client.prototype.query = function counted(...args) {
      if (this !== own) count += 1;
      return original.apply(this, args);
    };
    pg.Client.prototype.query.counted = true;
  }
  return () => count;
}

/** A counter on a PostgreSQL cluster, on its own connection (bench's pg), through pg_walinspect. */
export async function postgresCounter(url) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const trips = await roundTrips(client);
  let tripsAtStart = 0;
  await client.query("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
  const lsn = async (which) => (await client.query(`SELECT pg_current_wal_${which}_lsn() AS lsn`)).rows[0].lsn;
  let start = null;
  return {
    async begin() {
      start = await lsn("insert");
      tripsAtStart = trips();
    },
    async mark() {
      const now = await lsn("insert");
      return { bytes: Number((await client.query("SELECT pg_wal_lsn_diff($1, $2) AS bytes", [now, start])).rows[0].bytes) };
    },
    async end() {
      const roundTrips = trips() - tripsAtStart;
      const end = await lsn("flush");
      const { rows } = await client.query(
        "SELECT pg_wal_lsn_diff($2, $1)::float8 AS bytes, " +
          "count(*) FILTER (WHERE resource_manager = 'Transaction' AND record_type LIKE 'COMMIT%')::int AS commits, " +
          "COALESCE(sum(fpi_length), 0)::float8 AS fpi, count(*)::int AS records FROM pg_get_wal_records_info($1, $2)",
        [start, end],
      );
      return { ...rows[0], roundTrips };
    },
    close: () => client.end(),
  };
}
