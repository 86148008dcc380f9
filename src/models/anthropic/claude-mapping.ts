/**
 * Pure translations between kern's provider-neutral model types and the Anthropic Messages API
 * wire shapes. Nothing here talks to the network.
 */
import type {
  ContentBlockParam,
  Message,
  MessageParam,
  Tool,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import { ModelError } from "../../errors.js";
import type { ModelMessage, ModelResponse, ModelToolCall, ModelToolSpec } from "../model.js";
import { PROVIDER } from "./claude-errors.js";

/** A turn being built: kern's messages only ever produce user and assistant turns. */
interface Turn {
  role: "user" | "assistant";
  content: ContentBlockParam[];
}

/**
 * Turns the whole conversation into Messages API turns. The API wants user and assistant turns to
 * alternate, and every `tool_result` answering an assistant turn's `tool_use` blocks in the very
 * next user turn, before any text. So consecutive tool messages become one user turn, a user
 * message that follows them joins that turn, and any two neighbours with the same role merge.
 */
export function toMessageParams(messages: readonly ModelMessage[]): MessageParam[] {
  const turns: Turn[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "user":
        addBlocks(turns, "user", [{ type: "text", text: message.content }]);
        break;
      case "assistant":
        addBlocks(turns, "assistant", assistantBlocks(message.content, message.toolCalls));
        break;
      case "tool":
        // `content` is optional; leaving out an empty one avoids sending an empty text.
        addToolResult(turns, {
          type: "tool_result",
          tool_use_id: message.toolCallId,
          ...(message.content === "" ? {} : { content: message.content }),
        });
        break;
      default: {
        const unexpected: never = message;
        throw new TypeError(`Unknown model message role: ${JSON.stringify(unexpected)}`);
      }
    }
  }
  return turns.map(compactTurn);
}

/** Tool specs as Messages API tools; the JSON Schema is passed through as `input_schema`. */
export function toTools(tools: readonly ModelToolSpec[]): Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    // kern's tool parameters are always a JSON Schema object, which is what Anthropic requires.
    input_schema: { ...tool.parameters, type: "object" },
  }));
}

/** Reads one model turn out of a Messages API response: text blocks joined, tool_use blocks. */
export function fromMessage(message: Message): ModelResponse {
  let text = "";
  const toolCalls: ModelToolCall[] = [];
  for (const block of message.content) {
    if (block.type === "text") text += block.text;
    else if (block.type === "tool_use") toolCalls.push(toolCall(block.id, block.name, block.input));
  }
  const usage = readUsage(message.usage);
  return usage === undefined ? { text, toolCalls } : { text, toolCalls, usage };
}

/** A kern tool call from a `tool_use` block; the input object becomes JSON text. */
export function toolCall(id: string, name: string, input: unknown): ModelToolCall {
  return { id, name, arguments: JSON.stringify(input ?? {}) };
}

/** Token usage as kern reports it, or `undefined` when the provider sent none. */
export function readUsage(
  usage: { input_tokens?: number | null; output_tokens?: number | null } | null | undefined,
): ModelResponse["usage"] {
  if (usage === null || usage === undefined) return undefined;
  return { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 };
}

function assistantBlocks(text: string, calls: readonly ModelToolCall[]): ContentBlockParam[] {
  // Anthropic rejects an empty text block; a turn that only called tools has tool_use blocks only.
  const blocks: ContentBlockParam[] = text === "" ? [] : [{ type: "text", text }];
  for (const call of calls) blocks.push(toolUseBlock(call));
  return blocks;
}

function toolUseBlock(call: ModelToolCall): ToolUseBlockParam {
  return { type: "tool_use", id: call.id, name: call.name, input: parseInput(call) };
}

/** Anthropic takes a tool call's input as a JSON object, not text: parse what kern stored. */
function parseInput(call: ModelToolCall): Record<string, unknown> {
  if (call.arguments.trim() === "") return {};
  let input: unknown;
  try {
    input = JSON.parse(call.arguments) as unknown;
  } catch {
    input = undefined;
  }
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    return input as Record<string, unknown>;
  }
  throw new ModelError(
    `Tool call ${call.id} ('${call.name}') in the conversation has arguments that are not a ` +
      `JSON object (${call.arguments.slice(0, 200)}); Claude only accepts object input, so ` +
      `fix or remove that message before sending it.`,
    { provider: PROVIDER },
  );
}

function addBlocks(turns: Turn[], role: Turn["role"], blocks: ContentBlockParam[]): void {
  // An assistant turn with no text and no calls has nothing to say; the API rejects empty turns.
  if (blocks.length === 0) return;
  const last = turns.at(-1);
  if (last?.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

/** Adds a tool_result to the current user turn, after earlier results but before any text. */
function addToolResult(turns: Turn[], result: ToolResultBlockParam): void {
  const last = turns.at(-1);
  if (last?.role !== "user") {
    turns.push({ role: "user", content: [result] });
    return;
  }
  const firstOther = last.content.findIndex((block) => block.type !== "tool_result");
  if (firstOther === -1) last.content.push(result);
  else last.content.splice(firstOther, 0, result);
}

/** A user turn that is one text block goes out as a plain string, the API's simplest form. */
function compactTurn(turn: Turn): MessageParam {
  const [only] = turn.content;
  if (turn.role === "user" && turn.content.length === 1 && only?.type === "text") {
    return { role: "user", content: only.text };
  }
  return { role: turn.role, content: turn.content };
}
