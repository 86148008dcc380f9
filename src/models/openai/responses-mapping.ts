/**
 * Pure translations between kern's provider-neutral model types and the OpenAI Responses API
 * wire shapes. Nothing here talks to the network.
 */
import type { FunctionTool, Response, ResponseInputItem } from "openai/resources/responses/responses";
import type { ModelMessage, ModelResponse, ModelToolCall, ModelToolSpec } from "../model.js";

/**
 * Turns the whole conversation into Responses API input items. kern sends the full history on
 * every turn (`store: false`, no `previous_response_id`), so the order here is the order the
 * model reads: an assistant turn's text comes before the function calls it made, and each
 * `function_call_output` follows the calls it answers.
 */
export function toInputItems(messages: readonly ModelMessage[]): ResponseInputItem[] {
  const items: ResponseInputItem[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "user":
        items.push({ role: "user", content: message.content });
        break;
      case "assistant":
        // An empty assistant message would be sent as a real (empty) turn; a turn that only
        // called tools is represented by its function_call items alone.
        if (message.content !== "") {
          items.push({ role: "assistant", content: message.content });
        }
        for (const call of message.toolCalls) {
          items.push({
            type: "function_call",
            call_id: call.id,
            name: call.name,
            arguments: call.arguments,
          });
        }
        break;
      case "tool":
        items.push({
          type: "function_call_output",
          call_id: message.toolCallId,
          output: message.content,
        });
        break;
      default: {
        const unexpected: never = message;
        throw new TypeError(`Unknown model message role: ${JSON.stringify(unexpected)}`);
      }
    }
  }
  return items;
}

/** Tool specs as Responses API function tools; the JSON Schema is passed through untouched. */
export function toFunctionTools(tools: readonly ModelToolSpec[]): FunctionTool[] {
  return tools.map((tool) => ({
    type: "function",
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    strict: tool.strict,
  }));
}

/**
 * Reads one model turn out of a Responses API response. Text is joined from the `output_text`
 * parts of `message` items rather than taken from `response.output_text`, which the SDK only
 * computes for some bodies (and never for the `response.completed` stream event).
 */
export function fromResponse(response: Response): ModelResponse {
  let text = "";
  const toolCalls: ModelToolCall[] = [];
  for (const item of response.output) {
    if (item.type === "message") {
      for (const part of item.content) {
        if (part.type === "output_text") text += part.text;
      }
    } else if (item.type === "function_call") {
      toolCalls.push({ id: item.call_id, name: item.name, arguments: item.arguments });
    }
  }
  const usage = response.usage;
  if (!usage) return { text, toolCalls };
  return {
    text,
    toolCalls,
    usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens },
  };
}
