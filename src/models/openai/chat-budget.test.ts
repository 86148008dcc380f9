import { afterEach, beforeEach, describe } from "node:test";
import { itBoundsEveryCall } from "../call-budget.test-helper.js";
import { type FakeChatServer, startFakeChatServer } from "./chat-fake-server.test-helper.js";
import { OpenAIChat } from "./chat.js";

describe("OpenAIChat time budget", () => {
  let fake: FakeChatServer;
  beforeEach(async () => {
    fake = await startFakeChatServer();
  });
  afterEach(async () => {
    await fake.close();
  });

  itBoundsEveryCall({
    provider: "openai",
    fake: () => fake,
    model: (settings) => new OpenAIChat({ id: "gpt-test", baseURL: fake.baseURL, apiKey: "test-key", ...settings }),
  });
});
