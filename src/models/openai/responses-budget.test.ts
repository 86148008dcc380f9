import { describe } from "node:test";
import { itBoundsEveryCall } from "../call-budget.test-helper.js";
import { freshFakeEachTest } from "../fake-http-server.test-helper.js";
import { OpenAIResponses } from "./responses.js";
import { startFakeResponsesServer } from "./responses-fake-server.test-helper.js";

describe("OpenAIResponses time budget", () => {
  const fake = freshFakeEachTest(startFakeResponsesServer);

  itBoundsEveryCall({
    provider: "openai",
    fake,
    model: (settings) =>
      new OpenAIResponses({ id: "gpt-test", baseURL: fake().baseURL, apiKey: "test-key", ...settings }),
  });
});
