/**
 * Stored run JSON is sparse: fields equal to their default are left out when a run is written
 * and filled back in when it is read, before validation. Runs stay small (most requirement and
 * cursor fields are null or empty most of the time) and the in-memory state stays complete.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Describes one record type: its defaults, and the fields holding nested records. */
export interface RecordShape {
  defaults: Readonly<Json>;
  nested?: Readonly<Record<string, RecordShape>>;
}

/** A shape prepared for the hot path: lookups by key, defaults as a list. */
interface Compiled {
  defaults: ReadonlyMap<string, unknown>;
  entries: ReadonlyArray<readonly [key: string, fallback: unknown]>;
  nested: ReadonlyMap<string, RecordShape>;
}

const compiled = new WeakMap<RecordShape, Compiled>();

// Every run is encoded on each write and decoded on each load, so shapes are prepared once.
function compile(shape: RecordShape): Compiled {
  let found = compiled.get(shape);
  if (found === undefined) {
    found = {
      defaults: new Map(Object.entries(shape.defaults)),
      entries: Object.entries(shape.defaults),
      nested: new Map(Object.entries(shape.nested ?? {})),
    };
    compiled.set(shape, found);
  }
  return found;
}

function isDefault(value: unknown, fallback: unknown): boolean {
  if (value === fallback) return true;
  return Array.isArray(value) && Array.isArray(fallback) && value.length === 0 && fallback.length === 0;
}

/** A copy of `record` without the fields equal to their default, nested records included. */
export function stripDefaults(record: unknown, shape: RecordShape): unknown {
  if (Array.isArray(record)) return record.map((entry) => stripDefaults(entry, shape));
  if (!isObject(record)) return record;
  const { defaults, nested } = compile(shape);
  const result: Json = {};
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (defaults.has(key) && isDefault(value, defaults.get(key))) continue;
    const inner = nested.get(key);
    result[key] = inner === undefined ? value : stripDefaults(value, inner);
  }
  return result;
}

/** Fills the fields `stripDefaults` left out (fresh copies of array defaults). */
export function withDefaults(record: unknown, shape: RecordShape): unknown {
  if (Array.isArray(record)) return record.map((entry) => withDefaults(entry, shape));
  if (!isObject(record)) return record;
  const { defaults, entries, nested } = compile(shape);
  // Defaults first, in the shape's order, then the rest: every result of one shape gets the same
  // hidden class. Adding keys to a spread copy instead is many times slower in V8.
  const result: Json = {};
  for (const [key, fallback] of entries) {
    const value = record[key];
    result[key] = value !== undefined ? value : Array.isArray(fallback) ? [] : fallback;
  }
  for (const key of Object.keys(record)) {
    if (!defaults.has(key)) result[key] = record[key];
  }
  for (const [key, inner] of nested) {
    const value = result[key];
    if (value !== undefined && value !== null) result[key] = withDefaults(value, inner);
  }
  return result;
}

/** Fills a left-out name from the id it defaults to (agents and workflows are named by id). */
export function withDefaultName(record: unknown, nameKey: string, idKey: string): unknown {
  if (!isObject(record) || record[nameKey] !== undefined) return record;
  return { ...record, [nameKey]: record[idKey] };
}
