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
  return isObject(record) ? stripObject(record, shape, null) : record;
}

/** The keys of a run's name and of the id it defaults to (agents and workflows are named by id). */
export interface RunName {
  nameKey: string;
  idKey: string;
}

/**
 * A run's sparse form: `stripDefaults`, also leaving out the name when it equals the id. One
 * copy, made on every write of a run.
 */
export function stripRunDefaults(state: Json, shape: RecordShape, name: RunName): unknown {
  return stripObject(state, shape, state[name.nameKey] === state[name.idKey] ? name.nameKey : null);
}

function stripObject(record: Json, shape: RecordShape, leftOut: string | null): Json {
  const { defaults, nested } = compile(shape);
  const result: Json = {};
  for (const key of Object.keys(record)) {
    if (key === leftOut) continue;
    const value = record[key];
    // Defaults are JSON values, never undefined: one lookup tells a default's key and its value.
    const fallback = defaults.get(key);
    if (fallback !== undefined && isDefault(value, fallback)) continue;
    const inner = nested.get(key);
    result[key] = inner === undefined ? value : stripDefaults(value, inner);
  }
  return result;
}

/** Fills the fields `stripDefaults` left out (fresh copies of array defaults). */
export function withDefaults(record: unknown, shape: RecordShape): unknown {
  if (Array.isArray(record)) return record.map((entry) => withDefaults(entry, shape));
  return isObject(record) ? fillObject(record, shape, null) : record;
}

/**
 * A run's complete form before validation: `withDefaults`, also filling a left-out name from the
 * id. One copy, made on every load of a run.
 */
export function withRunDefaults(record: unknown, shape: RecordShape, name: RunName): unknown {
  return isObject(record) ? fillObject(record, shape, name) : record;
}

function fillObject(record: Json, shape: RecordShape, name: RunName | null): Json {
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
  // A left-out name comes last, where adding it to the record before would have put it.
  if (name !== null && result[name.nameKey] === undefined) result[name.nameKey] = record[name.idKey];
  for (const [key, inner] of nested) {
    const value = result[key];
    if (value !== undefined && value !== null) result[key] = withDefaults(value, inner);
  }
  return result;
}
