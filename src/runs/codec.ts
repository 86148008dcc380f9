import type { z } from "zod";
import { StateCorruptError, StateVersionError } from "../errors.js";

/** Upgrades a state object of version N to version N + 1. Pure: never reads anything else. */
export type StateMigration = (state: Record<string, unknown>) => Record<string, unknown>;

export interface VersionedCodec<T> {
  /** Human-readable name used in errors, e.g. "agent run". */
  what: string;
  currentVersion: number;
  /** `migrations[n]` upgrades version n to n + 1. */
  migrations: Readonly<Record<number, StateMigration>>;
  schema: z.ZodType<T>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads state JSON of any known version: checks `schemaVersion`, applies each migration in
 * order, then validates once against the current schema.
 */
export function decodeState<T>(codec: VersionedCodec<T>, input: unknown): T {
  if (!isPlainObject(input)) {
    throw new StateCorruptError(`Stored ${codec.what} state is not a JSON object.`);
  }
  let state = input;
  const found = state["schemaVersion"];
  if (typeof found !== "number" || !Number.isInteger(found) || found < 1 || found > codec.currentVersion) {
    throw new StateVersionError(found, codec.currentVersion);
  }
  for (let version = found; version < codec.currentVersion; version += 1) {
    const migrate = codec.migrations[version];
    if (migrate === undefined) {
      throw new StateVersionError(found, codec.currentVersion);
    }
    state = { ...migrate(state), schemaVersion: version + 1 };
  }
  const parsed = codec.schema.safeParse(state);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : ` at '${issue.path.join(".")}': ${issue.message}`;
    throw new StateCorruptError(`Stored ${codec.what} state does not match its schema${where}.`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Parses stored JSON text, turning a syntax error into a typed {@link StateCorruptError}. */
export function parseStateText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StateCorruptError(`Stored ${what} state is not valid JSON; the row is corrupt.`, {
      cause: error,
    });
  }
}
