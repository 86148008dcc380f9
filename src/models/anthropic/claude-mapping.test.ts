import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ModelMessage } from "../model.js";
import { toMessageParams } from "./claude-mapping.js";

describe("toMessageParams", () => {
  it("keeps roles alternating when an empty assistant turn is dropped", () => {
    const messages: ModelMessage[] = [
      { role: "user", content: "One" },
      { role: "assistant", content: "", toolCalls: [] },
      { role: "user", content: "Two" },
    ];

    assert.deepEqual(toMessageParams(messages), [
      {
        role: "user",
        content: [
          { type: "text", text: "One" },
          { type: "text", text: "Two" },
        ],
      },
    ]);
  });

  it("merges neighbouring assistant messages into one turn", () => {
    const messages: ModelMessage[] = [
      { role: "user", content: "Go" },
      { role: "assistant", content: "First.", toolCalls: [] },
      { role: "assistant", content: "", toolCalls: [{ id: "toolu_1", name: "ping", arguments: " " }] },
    ];

    assert.deepEqual(toMessageParams(messages)[1], {
      role: "assistant",
      content: [
        { type: "text", text: "First." },
        { type: "tool_use", id: "toolu_1", name: "ping", input: {} },
      ],
    });
  });

  it("puts every tool_result of a turn before the user's text, in call order, without empty content", () => {
    const messages: ModelMessage[] = [
      { role: "user", content: "Go" },
      {
        role: "assistant",
        content: "",
        toolCalls: [
          { id: "toolu_1", name: "ping", arguments: "{}" },
          { id: "toolu_2", name: "ping", arguments: "{}" },
        ],
      },
      { role: "tool", toolCallId: "toolu_1", toolName: "ping", content: "one" },
      { role: "user", content: "Hurry." },
      { role: "tool", toolCallId: "toolu_2", toolName: "ping", content: "" },
    ];

    assert.deepEqual(toMessageParams(messages)[2], {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "one" },
        { type: "tool_result", tool_use_id: "toolu_2" },
        { type: "text", text: "Hurry." },
      ],
    });
  });
});
