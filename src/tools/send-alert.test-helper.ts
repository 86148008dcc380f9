import { z } from "zod";
import { type Tool, tool } from "./tool.js";

/**
 * The seed scenario's gated tool: `send_alert` needs a person's confirmation, and every call it
 * executes appends the city to `sent`, so a test counts how many alerts went out.
 */
export function sendAlertTool(sent: string[]): Tool {
  return tool({
    name: "send_alert",
    description: "Send a weather alert for a city.",
    parameters: z.object({ city: z.string(), message: z.string() }),
    requiresConfirmation: true,
    execute: ({ city, message }) => {
      sent.push(city);
      return `Alert sent for ${city}: ${message}`;
    },
  });
}
