import type { z } from "zod";
import { ConfigurationError } from "../errors.js";
import { dropNullOptionals, toStrictJsonSchema } from "./strict-schema.js";
import type { Checked, ToolParameters } from "./tool-parameters.js";

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

/** The `{ key: true }` mask zod's pick() and omit() take. */
function keyMask(keys: readonly string[]): Record<string, true> & Record<number, never> {
  return Object.fromEntries(keys.map((key) => [key, true])) as Record<string, true> & Record<number, never>;
}

/**
 * What `instanceof z.ZodObject` checks (zod 4 answers instanceof from the schema's traits), asked
 * without loading zod: kern's root must not import it, and a caller of tool() has it loaded anyway.
 */
function isZodObject(value: unknown): value is z.ZodObject {
  const internals = (value as { _zod?: { traits?: unknown } } | null | undefined)?._zod;
  return internals?.traits instanceof Set && internals.traits.has("ZodObject");
}

/**
 * A zod 3 schema (zod 3 itself, or zod 4's "zod/v3" copy of it): its definition sits in `_def`,
 * and it lacks the `_zod` internals every zod 4 schema has. Passed where kern expects zod 4 it
 * would otherwise be refused as "not a z.object", which is what the user believes they passed.
 */
function isZod3Schema(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  return !("_zod" in value) && "_def" in value && typeof value._def === "object" && value._def !== null;
}

/** The draft-7 JSON Schema of the values a schema accepts, as `z.toJSONSchema` would give it. */
function inputJsonSchema(schema: z.ZodObject): Record<string, unknown> {
  return schema.toJSONSchema({ target: "draft-7", io: "input" }) as Record<string, unknown>;
}

function checked(parsed: z.ZodSafeParseResult<unknown>): Checked<Record<string, unknown>> {
  return parsed.success
    ? { ok: true, value: parsed.data as Record<string, unknown> }
    : { ok: false, problem: describeIssues(parsed.error) };
}

/** Refuses anything but a zod 4 `z.object`, and user-input fields that are not among its keys. */
function checkZodParameters(name: string, parameters: unknown, userInputFields: readonly string[] | undefined): void {
  if (isZod3Schema(parameters)) {
    throw new ConfigurationError(
      `Tool '${name}' was given a zod 3 schema as parameters; kern needs zod 4: ` +
        `npm install zod@4, and import { z } from "zod" (not "zod/v3").`,
    );
  }
  if (!isZodObject(parameters)) {
    throw new ConfigurationError(`Tool '${name}' needs parameters: z.object({...}) (use z.object({}) for none).`);
  }
  const shape = parameters.shape;
  for (const field of userInputFields ?? []) {
    if (!(field in shape)) {
      throw new ConfigurationError(
        `Tool '${name}' lists userInputFields '${field}', which is not a parameter; ` +
          `parameters: ${Object.keys(shape).join(", ")}.`,
      );
    }
  }
}

/**
 * A tool's parameters from a zod object. The model sees them in OpenAI's strict function mode;
 * `userInputFields` (when the gate asks a human for values) are hidden from the model.
 */
export function zodParameters(
  name: string,
  parameters: unknown,
  userInput: { asked: boolean; fields: readonly string[] | undefined },
): ToolParameters {
  checkZodParameters(name, parameters, userInput.fields);
  const schema = parameters as z.ZodObject;
  const userInputFields = userInput.asked ? [...(userInput.fields ?? Object.keys(schema.shape))] : [];
  const hidden = userInput.fields ?? [];
  const modelParameters = hidden.length === 0 ? schema : schema.omit(keyMask(hidden));
  // zod 4's pick() refuses an object with refinements of its own (a check across fields): only a
  // user-input tool needs it, so a confirmation tool may have them, and edited arguments meet them.
  const inputParameters = userInput.asked ? schema.pick(keyMask(userInputFields)) : undefined;
  let modelJsonSchema: Record<string, unknown> | undefined;
  const modelSchema = (): Record<string, unknown> => (modelJsonSchema ??= inputJsonSchema(modelParameters));

  return {
    userInputFields,
    modelSchema: () => ({ parameters: toStrictJsonSchema(modelSchema()), strict: true }),
    userInputJsonSchema: () => {
      if (inputParameters === undefined) return null;
      const { $schema: _dialect, ...inputSchema } = inputJsonSchema(inputParameters);
      return inputSchema;
    },
    checkArguments: (raw) => checked(modelParameters.safeParse(dropNullOptionals(raw, modelSchema()))),
    checkUserInput: (values) => {
      const unknownKeys = Object.keys(values).filter((key) => !userInputFields.includes(key));
      if (unknownKeys.length > 0) {
        return {
          ok: false,
          problem: `unknown field(s) ${unknownKeys.join(", ")}; expected ${userInputFields.join(", ")}`,
        };
      }
      return inputParameters === undefined ? { ok: true, value: {} } : checked(inputParameters.safeParse(values));
    },
    parse: (args) => schema.parse(args) as Record<string, unknown>,
  };
}
