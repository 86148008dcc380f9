import { describe } from "node:test";
import { itBoundsEveryCall } from "../call-budget.test-helper.js";
import { freshFakeEachTest } from "../fake-http-server.test-helper.js";
import { Claude } from "./claude.js";
import { startFakeMessagesServer } from "./claude-fake-server.test-helper.js";

describe("Claude time budget", () => {
  const fake = freshFakeEachTest(startFakeMessagesServer);

  itBoundsEveryCall({
    provider: "anthropic",
    fake,
    model: (settings) => new Claude({ id: "claude-test", baseURL: fake().baseURL, apiKey: "test-key", ...settings }),
  });
});
