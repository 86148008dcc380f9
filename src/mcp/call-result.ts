import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { toolResultText } from "../tools/index.js";

type ContentPart = CallToolResult["content"][number];

/** One content part as text for the model: text as it is, anything else named by what it is. */
function partText(part: ContentPart): string {
  switch (part.type) {
    case "text":
      return part.text;
    case "image":
    case "audio":
      return `[${part.type} ${part.mimeType}]`;
    case "resource":
      return "text" in part.resource ? part.resource.text : `[resource ${part.resource.uri}]`;
    case "resource_link":
      return `[resource link ${part.uri}]`;
    default: {
      const unreachable: never = part;
      return `[${JSON.stringify(unreachable)}]`;
    }
  }
}

/**
 * The text the model receives for an MCP tool's result: its content parts, one per line (the
 * structured content when it has none). A result marked `isError` throws, so that kern records it
 * as the call's error and tells the model so.
 */
export function callResultText(result: CallToolResult | { toolResult: unknown }): string {
  if ("toolResult" in result) return toolResultText(result.toolResult);
  const content = result.content.map(partText).join("\n");
  const text =
    content === "" && result.structuredContent !== undefined ? toolResultText(result.structuredContent) : content;
  if (result.isError === true) throw new Error(text === "" ? "The MCP tool reported an error." : text);
  return text;
}
