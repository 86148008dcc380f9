/**
 * Stored run JSON is sparse: fields equal to their default are left out when a run is written
 * and filled back in when it is read, before validation. Runs stay small (most requirement and
 * cursor fields are null or empty most of the time) and the in-memory state stays complete.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isDefault(value: unknown, fallback: unknown): boolean {
  if (value === fallback) return true;
  if (Array.isArray(value) && Array.isArray(fallback)) return value.length === 0 && fallback.length === 0;
  return false;
}

/** Describes one record type: its defaults, and the fields holding nested records. */
export interface RecordShape {
  defaults: Readonly<Json>;
  nested?: Readonly<Record<string, RecordShape>>;
}

/** A copy of `record` without the fields equal to their default, nested records included. */
export function stripDefaults(record: unknown, shape: RecordShape): unknown {
  if (Array.isArray(record)) return record.map((entry) => stripDefaults(entry, shape));
  if (!isObject(record)) return record;
  const result: Json = {};
  for (const [key, value] of Object.entries(record)) {
    if (key in shape.defaults && isDefault(value, shape.defaults[key])) continue;
    const inner = shape.nested?.[key];
    result[key] = inner === undefined ? value : stripDefaults(value, inner);
  }
  return result;
}

/** Fills the fields `stripDefaults` left out (fresh copies of array defaults). */
export function withDefaults(record: unknown, shape: RecordShape): unknown {
  if (Array.isArray(record)) return record.map((entry) => withDefaults(entry, shape));
  if (!isObject(record)) return record;
  const result: Json = {};
  for (const [key, value] of Object.entries(shape.defaults)) result[key] = Array.isArray(value) ? [] : value;
  for (const [key, value] of Object.entries(record)) {
    const inner = shape.nested?.[key];
    result[key] = inner === undefined ? value : withDefaults(value, inner);
  }
  return result;
}

/** Fills a left-out name from the id it defaults to (agents and workflows are named by id). */
export function withDefaultName(record: unknown, nameKey: string, idKey: string): unknown {
  if (!isObject(record) || record[nameKey] !== undefined) return record;
  return { ...record, [nameKey]: record[idKey] };
}
