import { afterEach, beforeEach, describe } from "node:test";
import { itBoundsEveryCall } from "../call-budget.test-helper.js";
import { type FakeMessagesServer, startFakeMessagesServer } from "./claude-fake-server.test-helper.js";
import { Claude } from "./claude.js";

describe("Claude time budget", () => {
  let fake: FakeMessagesServer;
  beforeEach(async () => {
    fake = await startFakeMessagesServer();
  });
  afterEach(async () => {
    await fake.close();
  });

  itBoundsEveryCall({
    provider: "anthropic",
    fake: () => fake,
    model: (settings) => new Claude({ id: "claude-test", baseURL: fake.baseURL, apiKey: "test-key", ...settings }),
  });
});
