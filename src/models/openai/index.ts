/**
 * `kern/models/openai`: kern's adapter for OpenAI's Responses API. This is the only folder that
 * imports the `openai` SDK, so programs that never use OpenAI never load it.
 *
 * @example
 * ```ts
 * import { OpenAIResponses } from "kern/models/openai";
 *
 * const model = new OpenAIResponses({ id: "gpt-5.4", reasoningEffort: "low" });
 * ```
 */
export { OpenAIResponses } from "./responses.js";
export type { OpenAIReasoningEffort, OpenAIResponsesOptions } from "./responses.js";
