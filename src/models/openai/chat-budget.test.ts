import { describe } from "node:test";
import { itBoundsEveryCall } from "../call-budget.test-helper.js";
import { freshFakeEachTest } from "../fake-http-server.test-helper.js";
import { OpenAIChat } from "./chat.js";
import { startFakeChatServer } from "./chat-fake-server.test-helper.js";

describe("OpenAIChat time budget", () => {
  const fake = freshFakeEachTest(startFakeChatServer);

  itBoundsEveryCall({
    provider: "openai",
    fake,
    model: (settings) => new OpenAIChat({ id: "gpt-test", baseURL: fake().baseURL, apiKey: "test-key", ...settings }),
  });
});
