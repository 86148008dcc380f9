import { InvalidInputError } from "../errors.js";

/**
 * What kern accepts from a caller before it stores a run: checked before the run is inserted, so
 * a value a store cannot hold fails with InvalidInputError before anything runs, never after a
 * side effect. Documented in the README ("Limits").
 */
export const INPUT_LIMITS = {
  /** Run, session and user ids: characters (UTF-16 code units). */
  idLength: 255,
  /** A run's input text, in UTF-8 bytes. */
  inputBytes: 1024 * 1024,
  /** additionalData and human-supplied values, as JSON, in UTF-8 bytes. */
  dataBytes: 1024 * 1024,
  /** Nesting of objects and arrays in additionalData, human-supplied values and tool arguments. */
  depth: 64,
} as const;

/**
 * An id a store can hold and compare exactly: a non-empty string of at most 255 characters with
 * no NUL (PostgreSQL text cannot hold one), no other control character and no lone surrogate
 * (it would be stored as U+FFFD, and the stored id would no longer equal the one given).
 */
export function checkId(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidInputError(field, `${field} must be a non-empty string, got ${describe(value)}.`);
  }
  if (value.length > INPUT_LIMITS.idLength) {
    throw new InvalidInputError(
      field,
      `${field} is ${value.length} characters long; ids are at most ${INPUT_LIMITS.idLength}.`,
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this check refuses
  if (/[\u0000-\u001f\u007f]/.test(value) || !value.isWellFormed()) {
    throw new InvalidInputError(
      field,
      `${field} ${JSON.stringify(value)} holds a control character (such as NUL) or a lone surrogate, which a store cannot keep as given; use printable text.`,
    );
  }
  return value;
}

/** An optional id: undefined passes. */
export function checkOptionalId(field: string, value: unknown): string | undefined {
  return value === undefined ? undefined : checkId(field, value);
}

/** A run's input text: a string of at most INPUT_LIMITS.inputBytes. */
export function checkInputText(field: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new InvalidInputError(field, `${field} takes a string, got ${describe(value)}.`);
  }
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > INPUT_LIMITS.inputBytes) {
    throw new InvalidInputError(
      field,
      `${field} is ${bytes} bytes; a run's input is at most ${INPUT_LIMITS.inputBytes} bytes. Store large documents elsewhere and pass a reference.`,
    );
  }
  return value;
}

/**
 * Plain JSON data (objects, arrays, strings, finite numbers, booleans, null; undefined object
 * members are dropped, as JSON does) no deeper than INPUT_LIMITS.depth and no larger than
 * INPUT_LIMITS.dataBytes once serialized.
 */
export function checkJsonData(field: string, value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new InvalidInputError(field, `${field} must be a plain object of JSON values, got ${describe(value)}.`);
  }
  checkValue(field, value, 1, new Set());
  const bytes = Buffer.byteLength(JSON.stringify(value), "utf8");
  if (bytes > INPUT_LIMITS.dataBytes) {
    throw new InvalidInputError(
      field,
      `${field} is ${bytes} bytes as JSON; it may be at most ${INPUT_LIMITS.dataBytes}. Store large data elsewhere and pass a reference.`,
    );
  }
  return value;
}

/** The problem with `value` as plain JSON, or null: for data that is not the caller's (tool arguments). */
export function jsonDataProblem(value: unknown): string | null {
  try {
    checkJsonData("arguments", value);
    return null;
  } catch (error) {
    return error instanceof InvalidInputError ? error.message : String(error);
  }
}

function checkValue(path: string, value: unknown, depth: number, seen: Set<object>): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new InvalidInputError(path, `${path} is ${value}, which JSON cannot hold; use a finite number or null.`);
    return;
  }
  if (typeof value !== "object") {
    throw new InvalidInputError(
      path,
      `${path} is a ${typeof value}, which is not JSON; use strings, numbers, booleans, null, arrays and plain objects.`,
    );
  }
  if (depth > INPUT_LIMITS.depth) {
    throw new InvalidInputError(path, `${path} is nested more than ${INPUT_LIMITS.depth} levels deep; flatten it.`);
  }
  if (seen.has(value)) throw new InvalidInputError(path, `${path} refers back to itself; JSON cannot hold a cycle.`);
  if (!Array.isArray(value) && !isPlainObject(value)) {
    throw new InvalidInputError(
      path,
      `${path} is a ${value.constructor?.name ?? "non-plain"} object; turn it into plain JSON (e.g. a date into an ISO string) first.`,
    );
  }
  seen.add(value);
  if (Array.isArray(value)) {
    for (const [index, entry] of value.entries()) checkValue(`${path}[${index}]`, entry, depth + 1, seen);
  } else {
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) checkValue(`${path}.${key}`, entry, depth + 1, seen);
    }
  }
  seen.delete(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return value === "" ? "an empty string" : "a string";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
