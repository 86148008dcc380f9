/**
 * Pure translations between kern's provider-neutral model types and the AI SDK's language model
 * specification (v3, `@ai-sdk/provider` 3.x): the prompt, function tools, generated content and
 * usage. The provider package turns these into its own wire format. Nothing here talks to the
 * network.
 */
import type {
  LanguageModelV3Content,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3ToolCall,
  LanguageModelV3ToolCallPart,
  LanguageModelV3ToolResultPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import type { ModelMessage, ModelResponse, ModelToolCall, ModelToolSpec, ModelUsage } from "../model.js";

/**
 * The whole conversation as a spec prompt: the instructions as a leading system message, each
 * user message as one text part, an assistant turn as its text then its tool calls, and
 * consecutive tool results as one tool message (the order in which the calls were answered).
 */
export function toPrompt(instructions: string | undefined, messages: readonly ModelMessage[]): LanguageModelV3Prompt {
  const prompt: LanguageModelV3Prompt = [];
  if (instructions !== undefined && instructions !== "") prompt.push({ role: "system", content: instructions });
  for (const message of messages) {
    switch (message.role) {
      case "user":
        prompt.push({ role: "user", content: [{ type: "text", text: message.content }] });
        break;
      case "assistant": {
        const assistant = assistantMessage(message.content, message.toolCalls);
        if (assistant !== undefined) prompt.push(assistant);
        break;
      }
      case "tool":
        addToolResult(prompt, {
          type: "tool-result",
          toolCallId: message.toolCallId,
          toolName: message.toolName,
          output: { type: "text", value: message.content },
        });
        break;
      default: {
        const unexpected: never = message;
        throw new TypeError(`Unknown model message role: ${JSON.stringify(unexpected)}`);
      }
    }
  }
  return prompt;
}

/** kern's tool specs as the spec's function tools; the JSON Schema goes through as `inputSchema`. */
export function toTools(tools: readonly ModelToolSpec[]): LanguageModelV3FunctionTool[] {
  return tools.map((tool) => ({
    type: "function",
    name: tool.name,
    description: tool.description,
    // kern's parameters are always a JSON Schema object (zod's draft-7 output), the spec's type.
    inputSchema: tool.parameters as LanguageModelV3FunctionTool["inputSchema"],
    strict: tool.strict,
  }));
}

/**
 * One model turn from generated content: text parts joined, and the tool calls kern must run.
 * Calls the provider ran itself (`providerExecuted`, e.g. a hosted web search), their results,
 * reasoning, sources and files are the provider's business and are left out.
 */
export function fromContent(content: readonly LanguageModelV3Content[], usage: LanguageModelV3Usage): ModelResponse {
  let text = "";
  const toolCalls: ModelToolCall[] = [];
  for (const part of content) {
    if (part.type === "text") text += part.text;
    else if (part.type === "tool-call" && part.providerExecuted !== true) toolCalls.push(toolCall(part));
  }
  return withUsage({ text, toolCalls }, readUsage(usage));
}

/**
 * A kern tool call from the spec's: its `input` is already JSON text. A call without input (some
 * providers stream none for a tool without parameters) gets "{}", so it parses as no arguments.
 */
export function toolCall(part: LanguageModelV3ToolCall): ModelToolCall {
  const input = part.input.trim() === "" ? "{}" : part.input;
  return { id: part.toolCallId, name: part.toolName, arguments: input };
}

/** Token usage as kern reports it, or `undefined` when the provider counted none. */
export function readUsage(usage: LanguageModelV3Usage | undefined): ModelUsage | undefined {
  const inputTokens = usage?.inputTokens.total;
  const outputTokens = usage?.outputTokens.total;
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  return { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 };
}

/** A response with `usage` only when there is one (the field is optional, never `undefined`). */
export function withUsage(response: ModelResponse, usage: ModelUsage | undefined): ModelResponse {
  return usage === undefined ? response : { ...response, usage };
}

function assistantMessage(text: string, calls: readonly ModelToolCall[]): LanguageModelV3Message | undefined {
  const content: (LanguageModelV3ToolCallPart | { type: "text"; text: string })[] =
    text === "" ? [] : [{ type: "text", text }];
  for (const call of calls) {
    content.push({ type: "tool-call", toolCallId: call.id, toolName: call.name, input: parseInput(call.arguments) });
  }
  // A turn with no text and no calls says nothing; providers reject empty assistant messages.
  return content.length === 0 ? undefined : { role: "assistant", content };
}

/**
 * The spec takes a stored call's input as a JSON value, which each provider encodes its own way.
 * Arguments the model wrote as broken JSON (the agent told it so in the tool result) go back as
 * the text they were, so the conversation stays as it happened.
 */
function parseInput(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Adds a tool result to the tool message just before it, or starts one. */
function addToolResult(prompt: LanguageModelV3Prompt, result: LanguageModelV3ToolResultPart): void {
  const last = prompt.at(-1);
  if (last?.role === "tool") last.content.push(result);
  else prompt.push({ role: "tool", content: [result] });
}
