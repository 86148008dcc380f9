import type { UserInputField } from "../runs/index.js";

function fits(value: unknown, type: UserInputField["type"]): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "list":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default: {
      const unreachable: never = type;
      return unreachable;
    }
  }
}

/** Checks every value against a step's user-input schema; returns one problem per bad field. */
export function checkUserInputFields(values: Record<string, unknown>, fields: readonly UserInputField[]): string[] {
  const problems: string[] = [];
  const known = new Set(fields.map((field) => field.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name))
      problems.push(`'${name}' is not a field of this step (fields: ${[...known].join(", ") || "none"})`);
  }
  for (const field of fields) {
    // Own properties only: a field named "__proto__" or "constructor" is not Object.prototype's.
    const value = Object.hasOwn(values, field.name) ? values[field.name] : undefined;
    if (value === undefined || value === null) {
      if (field.required !== false) problems.push(`'${field.name}' is required`);
      continue;
    }
    if (!fits(value, field.type)) {
      problems.push(
        `'${field.name}' must be ${field.type === "integer" ? "an" : "a"} ${field.type}, got ${JSON.stringify(value)}`,
      );
    } else if (field.allowedValues !== undefined && !field.allowedValues.some((allowed) => allowed === value)) {
      problems.push(
        `'${field.name}' must be one of ${field.allowedValues.map((allowed) => JSON.stringify(allowed)).join(", ")}`,
      );
    }
  }
  return problems;
}
