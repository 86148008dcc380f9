import { StoreError } from "../errors.js";
import type { GrantFilter, GrantRecord, RunWrite } from "./db.js";

/** Checks and orderings of the grants table that every store shares, so all three agree. */

const SCOPES: ReadonlySet<string> = new Set(["run", "session", "user", "agent"]);

/** Default and most grants of one listGrants() page. */
export const GRANT_LIMITS = { default: 100, max: 1000 } as const;

/** The grants of a writeRuns() batch, in the order the stores insert them. */
export function batchGrants(writes: readonly RunWrite[]): GrantRecord[] {
  return writes.flatMap((write) => write.grants ?? []);
}

/** The message for a grant whose id is stored already. */
export function grantStoredMessage(grant: Pick<GrantRecord, "id">): string {
  return `A grant with id '${grant.id}' is stored already; give each grant a new id. Nothing was stored.`;
}

/** Refuses a malformed grant, or a batch with one id twice, before anything is written. */
export function checkGrants(grants: readonly GrantRecord[]): void {
  const seen = new Set<string>();
  for (const grant of grants) {
    const problem = grantProblem(grant);
    if (problem !== undefined) {
      throw new StoreError(
        `Got a grant (id ${JSON.stringify(grant.id)}) whose ${problem}; pass grants as GrantRecord ` +
          `describes them. Nothing was stored.`,
      );
    }
    if (seen.has(grant.id)) throw new StoreError(`Got the grant '${grant.id}' twice in one write. Nothing was stored.`);
    seen.add(grant.id);
  }
}

function grantProblem(grant: GrantRecord): string | undefined {
  // Grants may come from JavaScript callers or parsed JSON, so each field is checked at run time.
  const fields: Record<string, unknown> = { ...grant };
  for (const field of ["id", "ownerId", "toolName", "createdBy"] as const) {
    const value = fields[field];
    if (typeof value !== "string" || value.length === 0) return `${field} is not a non-empty string`;
  }
  if (grant.ownerKind !== "agent") return `ownerKind is not "agent"`;
  if (!SCOPES.has(grant.scope)) return `scope is not "run", "session", "user" or "agent"`;
  const scopeId: unknown = fields["scopeId"];
  if (grant.scope === "agent" ? scopeId !== null : typeof scopeId !== "string" || scopeId.length === 0) {
    return `scopeId does not fit scope ${JSON.stringify(grant.scope)} (null for "agent", else a non-empty string)`;
  }
  const argsMatch: unknown = fields["argsMatch"];
  if (argsMatch !== null && (typeof argsMatch !== "string" || !isJsonObject(argsMatch))) {
    return "argsMatch is neither null nor the JSON text of an object";
  }
  if (!Number.isSafeInteger(grant.createdAt)) return "createdAt is not whole milliseconds since the epoch";
  for (const field of ["expiresAt", "revokedAt"] as const) {
    const value = fields[field];
    if (value !== null && !Number.isSafeInteger(value)) return `${field} is neither null nor whole milliseconds`;
  }
  return undefined;
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** Checks a revokeGrant() call. */
export function checkRevoke(id: string, revokedAt: number): void {
  if (typeof id !== "string" || !Number.isSafeInteger(revokedAt)) {
    throw new StoreError(
      `revokeGrant() needs a grant id and a time in whole milliseconds since the epoch; got ` +
        `${JSON.stringify(id)} and ${revokedAt}. Nothing was stored.`,
    );
  }
}

/** Checks a listGrants() filter and returns how many grants to read. */
export function checkGrantFilter(filter: GrantFilter): number {
  const limit = filter.limit ?? GRANT_LIMITS.default;
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > GRANT_LIMITS.max) {
    throw new StoreError(
      `listGrants() needs limit to be a whole number from 0 to ${GRANT_LIMITS.max}, got ${limit}; ` +
        `read the next page with { after: <the last grant of this page> }.`,
    );
  }
  if (filter.activeAt !== undefined && !Number.isSafeInteger(filter.activeAt)) {
    throw new StoreError(`listGrants() needs activeAt in whole milliseconds since the epoch, got ${filter.activeAt}.`);
  }
  const { after } = filter;
  if (after !== undefined && (!Number.isSafeInteger(after.createdAt) || typeof after.id !== "string")) {
    throw new StoreError(
      `listGrants() needs after to be the previous page's last grant (its createdAt and id), got ${JSON.stringify(after)}.`,
    );
  }
  return limit;
}

/** A WHERE builder: SQLite's and PostgreSQL's take clauses with `?` for each value. */
interface Clauses {
  add(clause: string, ...values: unknown[]): void;
}

/** The clauses of a grants filter, for both SQL stores; the order is (created_at, id). */
export function addGrantClauses(where: Clauses, filter: GrantFilter): void {
  where.add("owner_id = ?", filter.ownerId);
  where.add("tool_name = ?", filter.toolName);
  where.add("created_by = ?", filter.createdBy);
  if (filter.activeAt !== undefined) {
    where.add("revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", filter.activeAt);
  }
  if (filter.after !== undefined) where.add("(created_at, id) > (?, ?)", filter.after.createdAt, filter.after.id);
}

/** The in-memory form of {@link addGrantClauses}. */
export function matchesGrantFilter(grant: GrantRecord, filter: GrantFilter): boolean {
  if (filter.ownerId !== undefined && grant.ownerId !== filter.ownerId) return false;
  if (filter.toolName !== undefined && grant.toolName !== filter.toolName) return false;
  if (filter.createdBy !== undefined && grant.createdBy !== filter.createdBy) return false;
  if (filter.activeAt !== undefined && !isActiveGrant(grant, filter.activeAt)) return false;
  return filter.after === undefined || compareGrants(grant, filter.after) > 0;
}

/** True when the grant is neither revoked nor expired at `at` (ms since epoch). */
export function isActiveGrant(grant: Pick<GrantRecord, "revokedAt" | "expiresAt">, at: number): boolean {
  return grant.revokedAt === null && (grant.expiresAt === null || grant.expiresAt > at);
}

/** The listing order of every store: oldest first, then id as bytes (as the SQL stores sort). */
export function compareGrants(
  left: Pick<GrantRecord, "createdAt" | "id">,
  right: Pick<GrantRecord, "createdAt" | "id">,
): number {
  if (left.createdAt !== right.createdAt) return left.createdAt - right.createdAt;
  const a = Buffer.from(left.id);
  const b = Buffer.from(right.id);
  return Buffer.compare(a, b);
}

/** A grant's columns in the order of INSERT_GRANT's parameters (both SQL stores list them so). */
export function grantValues(grant: GrantRecord): unknown[] {
  return [
    grant.id,
    grant.ownerKind,
    grant.ownerId,
    grant.toolName,
    grant.scope,
    grant.scopeId,
    grant.argsMatch,
    grant.createdBy,
    grant.createdAt,
    grant.expiresAt,
    grant.revokedAt,
  ];
}
