/**
 * `kern/models/ai-sdk`: kern's adapter for any provider model of the Vercel AI SDK (language
 * model specification v3, `@ai-sdk/provider` 3.x): OpenAI, Anthropic, Google, Mistral, Amazon
 * Bedrock, any OpenAI-compatible server, and every community provider built on the same spec.
 * This is the only folder that imports `@ai-sdk/provider`, so programs that never use it never
 * load it; the provider packages themselves are imported by the user's code, not kern's.
 *
 * @example
 * ```ts
 * import { createOpenAI } from "@ai-sdk/openai";
 * import { AiSdkModel } from "kern/models/ai-sdk";
 *
 * const ollama = createOpenAI({ baseURL: "http://localhost:11434/v1", apiKey: "ollama" });
 * const model = new AiSdkModel(ollama.chat("llama3.2"));
 * ```
 */

export type { AiSdkModelOptions } from "./ai-sdk-model.js";
export { AiSdkModel } from "./ai-sdk-model.js";
