import * as crypto from "node:crypto";
import type { DecisionRecord, RunKind } from "../db/index.js";
import type { DecidedBy } from "./principal.js";

/** Where a run's chain in the decisions table ends (stored in the run's state). */
export interface AuditChain {
  auditSeq: number;
  auditHead: string | null;
}

/**
 * JSON with object keys sorted at every depth, so equal values always give equal text (and equal
 * hashes) whatever order their keys were built in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) result[key] = sorted(record[key]);
  }
  return result;
}

/** SHA-256 of `text` (UTF-8) in hex. One call, no Hash object: crypto.hash is in every Node kern supports (20.19+). */
export function sha256Hex(text: string): string {
  return crypto.hash("sha256", text, "hex");
}

/** SHA-256 of what a person was shown, as canonical JSON: the same question always has the same digest. */
export function digestOf(shown: unknown): string {
  return sha256Hex(canonicalJson(shown));
}

/** The hash an entry carries: of its canonical JSON without `hash`. */
export function entryHash(entry: Omit<DecisionRecord, "hash">): string {
  return sha256Hex(canonicalJson(entry));
}

/** What one decided requirement puts in the decisions table. */
export interface DecisionEntryInput {
  requirementId: string;
  gateKind: string;
  decision: unknown;
  decidedBy: DecidedBy;
  decidedAt: number;
  shownDigest: string;
  linkId?: string | null;
}

/**
 * The next entry of a run's chain: numbered after its last, linked to its hash. Advances the
 * chain in `state`, which is stored in the same write as the entry.
 */
export function appendDecision(
  state: AuditChain & { runId: string },
  kind: RunKind,
  input: DecisionEntryInput,
): DecisionRecord {
  const entry: Omit<DecisionRecord, "hash"> = {
    kind,
    runId: state.runId,
    seq: state.auditSeq + 1,
    requirementId: input.requirementId,
    gateKind: input.gateKind,
    decision: canonicalJson(input.decision),
    actorId: input.decidedBy.id,
    actorRoles: [...input.decidedBy.roles],
    automatic: input.decidedBy.kind !== "principal",
    decidedAt: input.decidedAt,
    shownDigest: input.shownDigest,
    linkId: input.linkId ?? null,
    prevHash: state.auditHead,
  };
  const hash = entryHash(entry);
  state.auditSeq = entry.seq;
  state.auditHead = hash;
  return { ...entry, hash };
}

/** The result of checking a run's chain: intact, or the first place it breaks. */
export interface ChainVerdict {
  ok: boolean;
  /** How many entries the table holds for the run. */
  entries: number;
  /** What is wrong, in words; null when ok. */
  problem: string | null;
  /** The entry where the chain breaks, when one is to blame. */
  seq: number | null;
}

/**
 * Checks a run's entries against each other and against the end of the chain its state stores:
 * numbered 1..n without gaps, each hash matching its content, each linked to the one before, the
 * last one the run's `auditHead`. An edited, inserted, reordered or deleted row breaks it.
 */
export function verifyEntries(entries: readonly DecisionRecord[], chain: AuditChain): ChainVerdict {
  const ordered = [...entries].sort((a, b) => a.seq - b.seq);
  const broken = (seq: number | null, problem: string): ChainVerdict => ({
    ok: false,
    entries: ordered.length,
    problem,
    seq,
  });
  let previous: string | null = null;
  for (const [index, entry] of ordered.entries()) {
    if (entry.seq !== index + 1) return broken(entry.seq, `entry ${index + 1} is missing (found ${entry.seq} next)`);
    const { hash, ...content } = entry;
    if (entryHash(content) !== hash) return broken(entry.seq, `entry ${entry.seq} was changed after it was written`);
    if (entry.prevHash !== previous) return broken(entry.seq, `entry ${entry.seq} does not follow the entry before it`);
    previous = hash;
  }
  if (ordered.length !== chain.auditSeq || previous !== chain.auditHead) {
    return broken(
      null,
      `the run records ${chain.auditSeq} entries ending in ${chain.auditHead ?? "none"}, the table holds ${ordered.length} ending in ${previous ?? "none"}`,
    );
  }
  return { ok: true, entries: ordered.length, problem: null, seq: null };
}
