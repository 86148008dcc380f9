import { afterEach, beforeEach, describe } from "node:test";
import { itBoundsEveryCall } from "../call-budget.test-helper.js";
import { type FakeResponsesServer, startFakeResponsesServer } from "./responses-fake-server.test-helper.js";
import { OpenAIResponses } from "./responses.js";

describe("OpenAIResponses time budget", () => {
  let fake: FakeResponsesServer;
  beforeEach(async () => {
    fake = await startFakeResponsesServer();
  });
  afterEach(async () => {
    await fake.close();
  });

  itBoundsEveryCall({
    provider: "openai",
    fake: () => fake,
    model: (settings) => new OpenAIResponses({ id: "gpt-test", baseURL: fake.baseURL, apiKey: "test-key", ...settings }),
  });
});
