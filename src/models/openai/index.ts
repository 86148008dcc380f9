/**
 * `kern/models/openai`: kern's adapters for OpenAI's Responses API and for Chat Completions (which
 * any OpenAI-compatible server speaks). This is the only folder that imports the `openai` SDK, so
 * programs that never use OpenAI never load it.
 *
 * @example
 * ```ts
 * import { OpenAIChat, OpenAIResponses } from "kern/models/openai";
 *
 * const model = new OpenAIResponses({ id: "gpt-5.4", reasoningEffort: "low" });
 * const local = new OpenAIChat({ id: "llama3.2", baseURL: "http://localhost:11434/v1" });
 * ```
 */

export type { OpenAIChatOptions } from "./chat.js";
export { OpenAIChat } from "./chat.js";
export type { OpenAIReasoningEffort, OpenAIResponsesOptions } from "./responses.js";
export { OpenAIResponses } from "./responses.js";
