/** The outcome of checking values against a schema: the parsed value or a readable problem. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * What a tool needs from its parameters' schema, however it was given (a zod object, or JSON
 * Schema with a validator): what the model sees, and the checks of the model's arguments and of
 * a human's values.
 */
export interface ToolParameters {
  /** The parameters a human supplies (user-input gate only). */
  readonly userInputFields: readonly string[];
  /** The JSON Schema the model fills, and whether it is in OpenAI's strict function mode. */
  modelSchema(): { parameters: Record<string, unknown>; strict: boolean };
  userInputJsonSchema(): Record<string, unknown> | null;
  checkArguments(raw: unknown): Checked<Record<string, unknown>>;
  checkUserInput(values: Record<string, unknown>): Checked<Record<string, unknown>>;
  /** The arguments as `execute` receives them (a zod schema applies its transforms). */
  parse(args: Record<string, unknown>): Record<string, unknown>;
}
