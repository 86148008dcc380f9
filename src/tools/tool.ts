import type { z } from "zod";
import type { Agent, RunRequirement } from "../agent/index.js";
import { ConfigurationError } from "../errors.js";
import type { ModelToolSpec } from "../models/index.js";
import {
  type Approvers,
  checkGatePolicy,
  checkGateTimeout,
  type GatePolicy,
  type GateTimeout,
  type TimeoutRule,
  type ToolPolicy,
} from "../runs/index.js";
import { type JsonSchemaValidate, jsonSchemaParameters } from "./json-schema-parameters.js";
import type { Checked, ToolParameters } from "./tool-parameters.js";
import { zodParameters } from "./zod-parameters.js";

export type { Checked } from "./tool-parameters.js";

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

/** The options of every tool, whichever way its parameters are given. */
interface ToolOptions {
  name: string;
  description?: string;
  requiresConfirmation?: boolean;
  /** The caller runs the tool and supplies its result with `setExternalExecutionResult`. */
  externalExecution?: boolean;
  /** End the run with this tool's result as the content, without calling the model again. */
  stopAfterToolCall?: boolean;
  /**
   * What happens when nobody decides a call's gate in time: after `after` seconds, `then`
   * ("reject", "approve", "skip", "cancel", or `{ escalateTo, timeout? }`). Needs a gate.
   */
  timeout?: GateTimeout;
  /**
   * Who may decide this tool's gate: role names or principal ids (any match allows), or a
   * function of the actor and the requirement. Unset, anyone may. Needs a gate.
   */
  approvers?: Approvers<RunRequirement>;
  /** False refuses a decision by the principal who started the run. Default true. Needs a gate. */
  allowSelfApproval?: boolean;
  /**
   * Decides this tool's gate without a person when it can: "allow" runs the call, "deny"
   * rejects it (the model is told why), "ask" pauses as usual. Recorded in the decisions table
   * as automatic, with the function's name and the reason. Needs a gate.
   */
  policy?: ToolPolicy;
  /** Where the tool comes from, shown with each of its calls (e.g. "mcp:weather"). */
  origin?: string;
  /**
   * A digest of the tool's definition as it is now, where it can change without kern's code
   * changing (a tool served by an MCP server). kern stores it when a gated call pauses and asks
   * again right before an approved call runs: when it differs, the call is not run but comes
   * back to a human as changed.
   */
  definitionDigest?: () => Promise<string>;
  /**
   * Whether a person may approve a call with corrected arguments (`confirm({ args })`), checked
   * against the tool's schema. Default true; needs `requiresConfirmation`.
   */
  editableArgs?: boolean;
}

export interface ToolDefinition<TParams extends z.ZodObject> extends ToolOptions {
  parameters: TParams;
  /** Runs the tool; sync or async. Required unless `externalExecution`. */
  execute?: (args: z.output<TParams>, context: ToolContext) => unknown;
  requiresUserInput?: boolean;
  /** Parameters the human supplies; hidden from the model. Implies `requiresUserInput`. */
  userInputFields?: ReadonlyArray<keyof z.output<TParams> & string>;
}

/**
 * A tool whose parameters are JSON Schema rather than zod (a tool defined elsewhere, such as on an
 * MCP server). The model sees the schema as given, outside OpenAI's strict mode; its arguments are
 * checked with `validate`, or without it at the top level only (required keys, types, enums).
 */
export interface JsonSchemaToolDefinition extends ToolOptions {
  /** The JSON Schema of an object: the arguments the model sends. */
  inputSchema: Record<string, unknown>;
  validate?: JsonSchemaValidate;
  /** Runs the tool; sync or async. Required unless `externalExecution`. */
  execute?: (args: Record<string, unknown>, context: ToolContext) => unknown;
}

/** A tool as the agent uses it. Create one with {@link tool}. */
export interface Tool {
  readonly name: string;
  readonly description: string;
  readonly gate: ToolGate;
  readonly userInputFields: readonly string[];
  readonly stopAfterToolCall: boolean;
  /** The gate's timeout, normalized (see the `timeout` option); absent or null without one. */
  readonly timeout?: TimeoutRule | null;
  /** Who may decide the tool's gate (its `approvers` and `allowSelfApproval`). */
  readonly policy: GatePolicy<RunRequirement>;
  /** The tool's own `policy` (which decides its gate automatically when it can), if any. */
  readonly autoPolicy?: ToolPolicy;
  /** Where the tool comes from (e.g. "mcp:weather"); absent for a tool defined in code. */
  readonly origin?: string;
  /**
   * A digest of the tool's definition as it is now, for a tool defined outside kern's code (an MCP
   * server's): stored when a gated call pauses, and compared right before the approved call runs.
   */
  readonly definitionDigest?: () => Promise<string>;
  /** Whether a person may approve a call with edited arguments: a confirmation gate that allows it. */
  readonly editableArgs: boolean;
  /**
   * Set on a tool made by `agent.asTool()`: the agent each call runs, inside the calling run. Its
   * gated calls pause the calling run (at any depth), and a continue resumes it in place.
   */
  readonly agent?: Agent;
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

const COMMON_OPTIONS = [
  "name",
  "description",
  "execute",
  "requiresConfirmation",
  "externalExecution",
  "stopAfterToolCall",
  "timeout",
  "approvers",
  "allowSelfApproval",
  "policy",
  "origin",
  "definitionDigest",
  "editableArgs",
];
const ZOD_OPTIONS = new Set([...COMMON_OPTIONS, "parameters", "requiresUserInput", "userInputFields"]);
const JSON_SCHEMA_OPTIONS = new Set([...COMMON_OPTIONS, "inputSchema", "validate"]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Either definition, as tool() reads it before knowing which it is. */
type AnyToolDefinition = ToolOptions & {
  parameters?: unknown;
  inputSchema?: unknown;
  validate?: JsonSchemaValidate;
  execute?: (args: never, context: ToolContext) => unknown;
  requiresUserInput?: boolean;
  userInputFields?: readonly string[];
};

/** Turns whatever a tool returned into the text sent to the model. */
export function toolResultText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value) ?? String(value);
}

function resolveGate(definition: AnyToolDefinition): ToolGate {
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

function checkDefinition(definition: AnyToolDefinition, jsonSchema: boolean): void {
  const supported = jsonSchema ? JSON_SCHEMA_OPTIONS : ZOD_OPTIONS;
  const unknown = Object.keys(definition).filter((key) => !supported.has(key));
  if (unknown.length > 0) {
    const hint = jsonSchema ? " (with inputSchema; parameters takes a zod object instead)" : "";
    throw new ConfigurationError(
      `tool() does not support ${unknown.map((key) => `'${key}'`).join(", ")}${hint}; ` +
        `supported options: ${[...supported].join(", ")}.`,
    );
  }
  if (typeof definition.name !== "string" || !TOOL_NAME.test(definition.name)) {
    throw new ConfigurationError(
      `Tool name ${JSON.stringify(definition.name)} is invalid; use 1-64 letters, digits, '_' or '-'.`,
    );
  }
  if (definition.externalExecution !== true && typeof definition.execute !== "function") {
    throw new ConfigurationError(
      `Tool '${definition.name}' has no execute function; add execute, or set externalExecution: true.`,
    );
  }
  if (definition.origin !== undefined && (typeof definition.origin !== "string" || definition.origin === "")) {
    throw new ConfigurationError(`Tool '${definition.name}': origin must be a non-empty string, e.g. "mcp:weather".`);
  }
  if (definition.definitionDigest !== undefined && typeof definition.definitionDigest !== "function") {
    throw new ConfigurationError(`Tool '${definition.name}': definitionDigest must be a function returning a digest.`);
  }
  if (definition.editableArgs !== undefined && typeof definition.editableArgs !== "boolean") {
    throw new ConfigurationError(`Tool '${definition.name}': editableArgs must be true or false.`);
  }
  if (definition.editableArgs !== undefined && definition.requiresConfirmation !== true) {
    throw new ConfigurationError(
      `Tool '${definition.name}' sets editableArgs without requiresConfirmation; only an approval can edit a call's arguments.`,
    );
  }
}

/**
 * Defines a tool an agent can call, with zod parameters or (for a tool defined elsewhere) a JSON
 * Schema `inputSchema`.
 *
 * @example
 * const sendAlert = tool({
 *   name: "send_alert",
 *   parameters: z.object({ city: z.string(), message: z.string() }),
 *   requiresConfirmation: true,
 *   execute: ({ city, message }) => `Alert sent for ${city}: ${message}`,
 * });
 */
export function tool(definition: JsonSchemaToolDefinition): Tool;
export function tool<TParams extends z.ZodObject>(definition: ToolDefinition<TParams>): Tool;
export function tool(definition: ToolDefinition<z.ZodObject> | JsonSchemaToolDefinition): Tool {
  const general = definition as AnyToolDefinition;
  const jsonSchema = "inputSchema" in general;
  checkDefinition(general, jsonSchema);
  const gate = resolveGate(general);
  const { name } = general;
  const parameters: ToolParameters = jsonSchema
    ? jsonSchemaParameters(name, general.inputSchema, general.validate)
    : zodParameters(name, general.parameters, { asked: gate === "userInput", fields: general.userInputFields });
  const execute = general.execute as ((args: Record<string, unknown>, context: ToolContext) => unknown) | undefined;
  let spec: ModelToolSpec | undefined;

  return {
    name,
    description: general.description ?? "",
    gate,
    userInputFields: parameters.userInputFields,
    stopAfterToolCall: general.stopAfterToolCall === true,
    timeout: checkGateTimeout(`Tool '${name}'`, general.timeout, {
      hasGate: gate !== "none",
      noApprove: gate === "confirmation" ? null : "a call that needs a person's values or result",
    }),
    policy: checkGatePolicy(`Tool '${name}'`, general, gate !== "none"),
    ...(general.policy === undefined ? {} : { autoPolicy: general.policy }),
    ...(general.origin === undefined ? {} : { origin: general.origin }),
    ...(general.definitionDigest === undefined ? {} : { definitionDigest: general.definitionDigest }),
    editableArgs: gate === "confirmation" && general.editableArgs !== false,
    modelSpec: () => (spec ??= { name, description: general.description ?? "", ...parameters.modelSchema() }),
    userInputJsonSchema: () => parameters.userInputJsonSchema(),
    checkArguments: (raw) => parameters.checkArguments(raw),
    checkUserInput: (values) => parameters.checkUserInput(values),
    run: async (args, context) => {
      if (execute === undefined) {
        throw new ConfigurationError(`Tool '${name}' is externally executed and cannot run here.`);
      }
      return toolResultText(await execute(parameters.parse(args), context));
    },
  };
}
