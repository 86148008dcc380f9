import { UsageError } from "./usage-error.js";

/** One field of a user-input form, read from the JSON Schema a pause carries. */
export interface FormField {
  name: string;
  type: "string" | "number" | "integer" | "boolean" | "array" | "object";
  required: boolean;
  description: string | null;
  /** Allowed values (`enum`), else null. */
  choices: unknown[] | null;
}

const TYPES: ReadonlyArray<FormField["type"]> = ["string", "number", "integer", "boolean", "array", "object"];

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function fieldType(schema: Record<string, unknown>): FormField["type"] {
  const declared = schema["type"];
  const candidates = Array.isArray(declared) ? declared : [declared];
  return TYPES.find((type) => candidates.includes(type)) ?? "string";
}

/** The fields of a flat object schema (the kind kern emits for user input), in order. */
export function formFields(schema: Record<string, unknown>): FormField[] {
  const required = Array.isArray(schema["required"]) ? schema["required"] : [];
  return Object.entries(record(schema["properties"])).map(([name, value]) => {
    const property = record(value);
    const description = property["description"];
    const choices = property["enum"];
    return {
      name,
      type: fieldType(property),
      required: required.includes(name),
      description: typeof description === "string" ? description : null,
      choices: Array.isArray(choices) ? choices : null,
    };
  });
}

/** A value typed into a form or given as `--set name=value`, or the problem with it. */
export type ParsedValue = { ok: true; value: unknown } | { ok: false; problem: string };

/** Reads text typed by a person as the field's type; an empty answer is "no value". */
export function parseFieldValue(field: FormField, raw: string): ParsedValue {
  const text = raw.trim();
  if (text === "")
    return field.required ? { ok: false, problem: `${field.name} is required` } : { ok: true, value: undefined };
  switch (field.type) {
    case "string":
      return { ok: true, value: text };
    case "number":
    case "integer": {
      const value = Number(text);
      const fits = Number.isFinite(value) && (field.type === "number" || Number.isInteger(value));
      return fits
        ? { ok: true, value }
        : { ok: false, problem: `${field.name} must be ${field.type === "integer" ? "a whole number" : "a number"}` };
    }
    case "boolean":
      if (/^(true|yes|y|1)$/i.test(text)) return { ok: true, value: true };
      if (/^(false|no|n|0)$/i.test(text)) return { ok: true, value: false };
      return { ok: false, problem: `${field.name} must be yes or no` };
    case "array": {
      const value = text.startsWith("[")
        ? safeJson(text)
        : text
            .split(",")
            .map((part) => part.trim())
            .filter((part) => part !== "");
      return Array.isArray(value)
        ? { ok: true, value }
        : { ok: false, problem: `${field.name} must be a comma-separated list or a JSON array` };
    }
    case "object": {
      const value = safeJson(text);
      return value === undefined ? { ok: false, problem: `${field.name} must be a JSON object` } : { ok: true, value };
    }
    default: {
      const unreachable: never = field.type;
      return { ok: false, problem: `unknown field type ${String(unreachable)}` };
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Splits repeated `name=value` options into a map; an entry without `=` is a UsageError. */
export function parseAssignments(entries: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const entry of entries) {
    const at = entry.indexOf("=");
    if (at <= 0) throw new UsageError(`--set takes name=value, got '${entry}'.`);
    values.set(entry.slice(0, at).trim(), entry.slice(at + 1));
  }
  return values;
}

/** One line describing a field for a person: "destination (string, required): City to fly to". */
export function describeField(field: FormField): string {
  const choices =
    field.choices === null ? "" : `, one of ${field.choices.map((choice) => JSON.stringify(choice)).join(" | ")}`;
  const description = field.description === null ? "" : `: ${field.description}`;
  return `${field.name} (${field.type}${field.required ? ", required" : ""}${choices})${description}`;
}
