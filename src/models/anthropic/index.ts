/**
 * `kern/models/anthropic`: kern's adapter for Anthropic's Messages API. This is the only folder
 * that imports `@anthropic-ai/sdk`, so programs that never use Claude never load it.
 *
 * @example
 * ```ts
 * import { Claude } from "kern/models/anthropic";
 *
 * const model = new Claude({ id: "claude-sonnet-4-5", maxTokens: 8192 });
 * ```
 */

export type { ClaudeOptions } from "./claude.js";
export { Claude, DEFAULT_MAX_TOKENS } from "./claude.js";
