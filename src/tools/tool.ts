import type { z } from "zod";
import type { RunRequirement } from "../agent/index.js";
import { ConfigurationError } from "../errors.js";
import type { ModelToolSpec } from "../models/index.js";
import { type Approvers, checkGatePolicy, type GatePolicy } from "../runs/index.js";
import { dropNullOptionals, toStrictJsonSchema } from "./strict-schema.js";

/** What a tool's `execute` receives besides its arguments. */
export interface ToolContext {
  runId: string;
  sessionId: string;
  toolCallId: string;
  agentName: string;
  signal: AbortSignal | undefined;
}

/** Which human gate, if any, stands before a tool call runs. */
export type ToolGate = "none" | "confirmation" | "userInput" | "externalExecution";

export interface ToolDefinition<TParams extends z.ZodObject> {
  name: string;
  description?: string;
  parameters: TParams;
  /** Runs the tool; sync or async. Required unless `externalExecution`. */
  execute?: (args: z.output<TParams>, context: ToolContext) => unknown;
  requiresConfirmation?: boolean;
  requiresUserInput?: boolean;
  /** Parameters the human supplies; hidden from the model. Implies `requiresUserInput`. */
  userInputFields?: ReadonlyArray<keyof z.output<TParams> & string>;
  /** The caller runs the tool and supplies its result with `setExternalExecutionResult`. */
  externalExecution?: boolean;
  /** End the run with this tool's result as the content, without calling the model again. */
  stopAfterToolCall?: boolean;
  /**
   * Who may decide this tool's gate: role names or principal ids (any match allows), or a
   * function of the actor and the requirement. Unset, anyone may. Needs a gate.
   */
  approvers?: Approvers<RunRequirement>;
  /** False refuses a decision by the principal who started the run. Default true. Needs a gate. */
  allowSelfApproval?: boolean;
}

/** The outcome of checking values against a schema: the parsed value or a readable problem. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A tool as the agent uses it. Create one with {@link tool}. */
export interface Tool {
  readonly name: string;
  readonly description: string;
  readonly gate: ToolGate;
  readonly userInputFields: readonly string[];
  readonly stopAfterToolCall: boolean;
  /** Who may decide the tool's gate (its `approvers` and `allowSelfApproval`). */
  readonly policy: GatePolicy<RunRequirement>;
  /** The schema and description the model sees. */
  modelSpec(): ModelToolSpec;
  /** JSON Schema of the values a human must supply, or null when the tool asks none. */
  userInputJsonSchema(): Record<string, unknown> | null;
  /** Checks the model's arguments; returns them normalized (defaults applied). */
  checkArguments(raw: unknown): Checked<Record<string, unknown>>;
  /** Checks a human's values for the user-input fields, all at once. */
  checkUserInput(values: Record<string, unknown>): Checked<Record<string, unknown>>;
  /** Runs the tool and turns its return value into the text the model receives. */
  run(args: Record<string, unknown>, context: ToolContext): Promise<string>;
}

const TOOL_OPTIONS = new Set([
  "name",
  "description",
  "parameters",
  "execute",
  "requiresConfirmation",
  "requiresUserInput",
  "userInputFields",
  "externalExecution",
  "stopAfterToolCall",
  "approvers",
  "allowSelfApproval",
]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

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

/** Turns whatever a tool returned into the text sent to the model. */
export function toolResultText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value) ?? String(value);
}

function resolveGate(definition: ToolDefinition<z.ZodObject>): ToolGate {
  const userInput = definition.requiresUserInput === true || definition.userInputFields !== undefined;
  const gates: ToolGate[] = [];
  if (definition.requiresConfirmation === true) gates.push("confirmation");
  if (userInput) gates.push("userInput");
  if (definition.externalExecution === true) gates.push("externalExecution");
  if (gates.length > 1) {
    throw new ConfigurationError(
      `Tool '${definition.name}' sets ${gates.join(" and ")}; a tool takes at most one of ` +
        `requiresConfirmation, requiresUserInput (or userInputFields) and externalExecution.`,
    );
  }
  return gates[0] ?? "none";
}

function checkDefinition(definition: ToolDefinition<z.ZodObject>): void {
  const unknown = Object.keys(definition).filter((key) => !TOOL_OPTIONS.has(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `tool() does not support ${unknown.map((key) => `'${key}'`).join(", ")}; ` +
        `supported options: ${[...TOOL_OPTIONS].join(", ")}.`,
    );
  }
  if (typeof definition.name !== "string" || !TOOL_NAME.test(definition.name)) {
    throw new ConfigurationError(
      `Tool name ${JSON.stringify(definition.name)} is invalid; use 1-64 letters, digits, '_' or '-'.`,
    );
  }
  if (isZod3Schema(definition.parameters)) {
    throw new ConfigurationError(
      `Tool '${definition.name}' was given a zod 3 schema as parameters; kern needs zod 4: ` +
        `npm install zod@4, and import { z } from "zod" (not "zod/v3").`,
    );
  }
  if (!isZodObject(definition.parameters)) {
    throw new ConfigurationError(
      `Tool '${definition.name}' needs parameters: z.object({...}) (use z.object({}) for none).`,
    );
  }
  if (definition.externalExecution !== true && typeof definition.execute !== "function") {
    throw new ConfigurationError(
      `Tool '${definition.name}' has no execute function; add execute, or set externalExecution: true.`,
    );
  }
  const shape = definition.parameters.shape;
  for (const field of definition.userInputFields ?? []) {
    if (!(field in shape)) {
      throw new ConfigurationError(
        `Tool '${definition.name}' lists userInputFields '${field}', which is not a parameter; ` +
          `parameters: ${Object.keys(shape).join(", ")}.`,
      );
    }
  }
}

/**
 * Defines a tool an agent can call.
 *
 * @example
 * const sendAlert = tool({
 *   name: "send_alert",
 *   parameters: z.object({ city: z.string(), message: z.string() }),
 *   requiresConfirmation: true,
 *   execute: ({ city, message }) => `Alert sent for ${city}: ${message}`,
 * });
 */
export function tool<TParams extends z.ZodObject>(definition: ToolDefinition<TParams>): Tool {
  const general = definition as unknown as ToolDefinition<z.ZodObject>;
  checkDefinition(general);
  const gate = resolveGate(general);
  const parameters: z.ZodObject = definition.parameters;
  const shapeKeys = Object.keys(parameters.shape);
  const userInputFields = gate === "userInput" ? [...(definition.userInputFields ?? shapeKeys)] : [];
  const hidden = new Set(definition.userInputFields ?? []);
  const modelParameters = hidden.size === 0 ? parameters : parameters.omit(keyMask([...hidden]));
  const inputParameters = parameters.pick(keyMask(userInputFields));
  let spec: ModelToolSpec | undefined;
  let modelJsonSchema: Record<string, unknown> | undefined;
  const modelSchema = (): Record<string, unknown> => (modelJsonSchema ??= inputJsonSchema(modelParameters));

  return {
    name: definition.name,
    description: definition.description ?? "",
    gate,
    userInputFields,
    stopAfterToolCall: definition.stopAfterToolCall === true,
    policy: checkGatePolicy(`Tool '${definition.name}'`, definition, gate !== "none"),
    modelSpec: () =>
      (spec ??= {
        name: definition.name,
        description: definition.description ?? "",
        parameters: toStrictJsonSchema(modelSchema()),
        strict: true,
      }),
    userInputJsonSchema: () => {
      if (gate !== "userInput") return null;
      const { $schema: _dialect, ...schema } = inputJsonSchema(inputParameters);
      return schema;
    },
    checkArguments: (raw) => {
      const parsed = modelParameters.safeParse(dropNullOptionals(raw, modelSchema()));
      return parsed.success
        ? { ok: true, value: parsed.data as Record<string, unknown> }
        : { ok: false, problem: describeIssues(parsed.error) };
    },
    checkUserInput: (values) => {
      const unknownKeys = Object.keys(values).filter((key) => !userInputFields.includes(key));
      if (unknownKeys.length > 0) {
        return {
          ok: false,
          problem: `unknown field(s) ${unknownKeys.join(", ")}; expected ${userInputFields.join(", ")}`,
        };
      }
      const parsed = inputParameters.safeParse(values);
      return parsed.success
        ? { ok: true, value: parsed.data as Record<string, unknown> }
        : { ok: false, problem: describeIssues(parsed.error) };
    },
    run: async (args, context) => {
      if (definition.execute === undefined) {
        throw new ConfigurationError(`Tool '${definition.name}' is externally executed and cannot run here.`);
      }
      const parsed = parameters.parse(args) as z.output<TParams>;
      return toolResultText(await definition.execute(parsed, context));
    },
  };
}
