import { StoreError } from "../../errors.js";
import type { GrantFilter, GrantRecord } from "../db.js";
import { compareGrants, grantStoredMessage, matchesGrantFilter } from "../grants.js";

/** The grants table of an InMemoryDb. It stores and returns copies. */
export class GrantTable {
  readonly #grants = new Map<string, GrantRecord>();

  /** Throws StoreError if any grant is stored already; changes nothing either way. */
  checkNew(grants: readonly GrantRecord[]): void {
    for (const grant of grants) {
      if (this.#grants.has(grant.id)) throw new StoreError(grantStoredMessage(grant));
    }
  }

  /** Inserts grants that {@link checkNew} accepted. */
  insert(grants: readonly GrantRecord[]): void {
    for (const grant of grants) this.#grants.set(grant.id, copyGrant(grant));
  }

  get(id: string): GrantRecord | null {
    const grant = this.#grants.get(id);
    return grant === undefined ? null : copyGrant(grant);
  }

  list(filter: GrantFilter, limit: number): GrantRecord[] {
    const matches = [...this.#grants.values()].filter((grant) => matchesGrantFilter(grant, filter));
    matches.sort(compareGrants);
    return matches.slice(0, limit).map(copyGrant);
  }

  revoke(id: string, revokedAt: number): boolean {
    const grant = this.#grants.get(id);
    if (grant === undefined || grant.revokedAt !== null) return false;
    this.#grants.set(id, { ...grant, revokedAt });
    return true;
  }

  clear(): void {
    this.#grants.clear();
  }
}

/** The grant's fields and nothing else, as the SQL stores return them. */
function copyGrant(grant: GrantRecord): GrantRecord {
  return {
    id: grant.id,
    ownerKind: grant.ownerKind,
    ownerId: grant.ownerId,
    toolName: grant.toolName,
    scope: grant.scope,
    scopeId: grant.scopeId,
    argsMatch: grant.argsMatch,
    createdBy: grant.createdBy,
    createdAt: grant.createdAt,
    expiresAt: grant.expiresAt,
    revokedAt: grant.revokedAt,
  };
}
