import { StoreError } from "../errors.js";
import type {
  DecisionRecord,
  GrantRecord,
  OutboxEntry,
  OutboxEventType,
  PendingRequirementRecord,
  PendingRequirementRow,
  RunEventRecord,
  RunKind,
  RunRecord,
  RunSummary,
} from "./db.js";
import { RUN_STATUSES, type RunStatus } from "./run-status.js";

/**
 * Reads the rows SQL stores return into records, refusing any row whose shape is not what this
 * kern wrote. Hand-written rather than a schema: every load and listing goes through here.
 */

type Row = Record<string, unknown>;

const STATUSES: ReadonlySet<string> = new Set(RUN_STATUSES);

/** Where a row came from, for the error that names it. */
export interface RowSource {
  table: string;
  /** How the store's data may have been damaged, e.g. "the file may have been changed by hand". */
  hint: string;
}

class RowReader {
  constructor(
    readonly row: Row,
    readonly source: RowSource,
  ) {}

  fail(column: string, expected: string): never {
    const found = JSON.stringify(this.row[column]) ?? "undefined";
    throw new StoreError(
      `A row of ${this.source.table} does not have the shape this kern expects (${column}: ` +
        `expected ${expected}, got ${found}); ${this.source.hint}.`,
    );
  }

  string(column: string): string {
    const value = this.row[column];
    return typeof value === "string" ? value : this.fail(column, "a string");
  }

  nullableString(column: string): string | null {
    const value = this.row[column];
    return value === null ? null : this.string(column);
  }

  /** A whole number; PostgreSQL BIGINT columns arrive as digit strings unless an app changed pg's parsers. */
  integer(column: string): number {
    const value = this.row[column];
    const number = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
    return typeof number === "number" && Number.isSafeInteger(number) ? number : this.fail(column, "a whole number");
  }

  nullableInteger(column: string): number | null {
    return this.row[column] === null ? null : this.integer(column);
  }

  /** SQLite stores booleans as 0 and 1, PostgreSQL as booleans. */
  boolean(column: string): boolean {
    const value = this.row[column];
    if (value === true || value === 1) return true;
    if (value === false || value === 0) return false;
    return this.fail(column, "a boolean");
  }

  /** A JSON array of strings: JSON text from SQLite, already parsed from a PostgreSQL JSONB column. */
  stringArray(column: string): string[] {
    const value = this.row[column];
    let parsed: unknown = value;
    if (typeof value === "string") {
      try {
        parsed = JSON.parse(value);
      } catch {
        return this.fail(column, "a JSON array of strings");
      }
    }
    if (Array.isArray(parsed) && parsed.every((entry) => typeof entry === "string")) return [...parsed];
    return this.fail(column, "a JSON array of strings");
  }

  kind(): RunKind {
    const value = this.row["kind"];
    return value === "agent" || value === "workflow" ? value : this.fail("kind", "'agent' or 'workflow'");
  }

  status(): RunStatus {
    const value = this.row["status"];
    return typeof value === "string" && STATUSES.has(value)
      ? (value as RunStatus)
      : this.fail("status", `one of ${RUN_STATUSES.join(", ")}`);
  }
}

export function readSummaryRow(row: Row, source: RowSource): RunSummary {
  const read = new RowReader(row, source);
  return {
    kind: read.kind(),
    runId: read.string("runId"),
    sessionId: read.string("sessionId"),
    userId: read.nullableString("userId"),
    ownerId: read.string("ownerId"),
    status: read.status(),
    revision: read.integer("revision"),
    createdAt: read.integer("createdAt"),
    updatedAt: read.integer("updatedAt"),
    leaseExpiresAt: read.nullableInteger("leaseExpiresAt"),
  };
}

// Readers build records as literals and add keys to them; adding keys to a spread copy instead
// is a slow path in V8, and every load and inbox row comes through here.

/** A run row with its state; `pending` is the run's pending list, already read. */
export function readRunRow(row: Row, pending: PendingRequirementRecord[], source: RowSource): RunRecord {
  return Object.assign(readSummaryRow(row, source), { state: new RowReader(row, source).string("state"), pending });
}

export function readPendingRow(row: Row, source: RowSource): PendingRequirementRow {
  const read = new RowReader(row, source);
  return {
    requirementId: read.string("requirementId"),
    requirementKind: read.string("requirementKind"),
    summary: read.string("summary"),
    kind: read.kind(),
    runId: read.string("runId"),
    sessionId: read.string("sessionId"),
    ownerId: read.string("ownerId"),
    createdAt: read.integer("createdAt"),
  };
}

export function readDecisionRow(row: Row, source: RowSource): DecisionRecord {
  const read = new RowReader(row, source);
  return {
    kind: read.kind(),
    runId: read.string("runId"),
    seq: read.integer("seq"),
    requirementId: read.string("requirementId"),
    gateKind: read.string("gateKind"),
    decision: read.string("decision"),
    actorId: read.string("actorId"),
    actorRoles: read.stringArray("actorRoles"),
    automatic: read.boolean("automatic"),
    decidedAt: read.integer("decidedAt"),
    shownDigest: read.string("shownDigest"),
    linkId: read.nullableString("linkId"),
    prevHash: read.nullableString("prevHash"),
    hash: read.string("hash"),
  };
}

export function readGrantRow(row: Row, source: RowSource): GrantRecord {
  const read = new RowReader(row, source);
  const scope = row["scope"];
  if (scope !== "run" && scope !== "session" && scope !== "user" && scope !== "agent") {
    return read.fail("scope", "'run', 'session', 'user' or 'agent'");
  }
  if (row["ownerKind"] !== "agent") return read.fail("ownerKind", "'agent'");
  return {
    id: read.string("id"),
    ownerKind: "agent",
    ownerId: read.string("ownerId"),
    toolName: read.string("toolName"),
    scope,
    scopeId: read.nullableString("scopeId"),
    argsMatch: read.nullableString("argsMatch"),
    createdBy: read.string("createdBy"),
    createdAt: read.integer("createdAt"),
    expiresAt: read.nullableInteger("expiresAt"),
    revokedAt: read.nullableInteger("revokedAt"),
  };
}

/**
 * The pending list SQLite packs into one JSON column of the run's row:
 * `[[requirementId, requirementKind, summary], ...]` in position order.
 */
export function readPackedPending(text: unknown, source: RowSource): PendingRequirementRecord[] {
  const entries: unknown = typeof text === "string" ? JSON.parse(text) : text;
  if (!Array.isArray(entries)) {
    throw new StoreError(`The pending list of a ${source.table} row is not a JSON array; ${source.hint}.`);
  }
  return entries.map((entry: unknown) => {
    if (!Array.isArray(entry) || entry.length !== 3 || !entry.every((part) => typeof part === "string")) {
      throw new StoreError(
        `A pending requirement of a ${source.table} row is not [id, kind, summary]; ${source.hint}.`,
      );
    }
    const [requirementId, requirementKind, summary] = entry as [string, string, string];
    return { requirementId, requirementKind, summary };
  });
}

const OUTBOX_TYPES: ReadonlySet<string> = new Set([
  "requirement.paused",
  "requirement.decided",
  "requirement.timed_out",
  "requirement.escalated",
]);

/** A row of kern_outbox, its columns named as OutboxEntry's fields (deliveredTo as JSON text). */
export function readOutboxRow(row: Row, source: RowSource): OutboxEntry {
  const read = new RowReader(row, source);
  const type = row["type"];
  if (typeof type !== "string" || !OUTBOX_TYPES.has(type)) return read.fail("type", "an outbox event type");
  const kind = row["kind"];
  if (kind !== "agent" && kind !== "workflow") return read.fail("kind", "'agent' or 'workflow'");
  return {
    key: read.string("key"),
    type: type as OutboxEventType,
    kind,
    runId: read.string("runId"),
    sessionId: read.string("sessionId"),
    ownerId: read.string("ownerId"),
    requirementId: read.string("requirementId"),
    data: read.string("data"),
    createdAt: read.integer("createdAt"),
    attempts: read.integer("attempts"),
    nextAttemptAt: read.integer("nextAttemptAt"),
    deliveredTo: read.stringArray("deliveredTo"),
    deliveredAt: read.nullableInteger("deliveredAt"),
    lastError: read.nullableString("lastError"),
    leaseExpiresAt: read.nullableInteger("leaseExpiresAt"),
  };
}

/** A row of kern_run_events, columns named as RunEventRecord's fields. */
export function readRunEventRow(row: Row, source: RowSource): RunEventRecord {
  const read = new RowReader(row, source);
  return {
    kind: read.kind(),
    runId: read.string("runId"),
    seq: read.integer("seq"),
    event: read.string("event"),
    data: read.string("data"),
    createdAt: read.integer("createdAt"),
  };
}
