import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ModelError } from "../../errors.js";
import { OpenAIResponses } from "./responses.js";
import { requestBody, startFakeResponsesServer } from "./responses-fake-server.test-helper.js";

const hello = { instructions: undefined, messages: [{ role: "user" as const, content: "Hello" }], tools: [] };

/** Runs `body` with OPENAI_API_KEY and OPENAI_BASE_URL set as given (undefined unsets), then restores them. */
async function withEnv(
  values: { OPENAI_API_KEY?: string; OPENAI_BASE_URL?: string },
  body: () => Promise<void>,
): Promise<void> {
  const names = ["OPENAI_API_KEY", "OPENAI_BASE_URL"] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  const apply = (entries: ReadonlyArray<readonly [string, string | undefined]>): void => {
    for (const [name, value] of entries) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(names.map((name) => [name, values[name]] as const));
  try {
    await body();
  } finally {
    apply(saved);
  }
}

describe("OpenAIResponses against a local OpenAI-compatible server, with no API key", () => {
  it("needs only a baseURL (option or OPENAI_BASE_URL) and sends a placeholder key", async () => {
    const fake = await startFakeResponsesServer();
    try {
      fake.enqueue({ text: "from the local model" });
      fake.enqueue({ text: "from the env url" });
      await withEnv({}, async () => {
        const local = new OpenAIResponses({ id: "llama3.2", baseURL: fake.baseURL, maxRetries: 0 });
        assert.equal((await local.generate(hello)).text, "from the local model");
      });
      await withEnv({ OPENAI_BASE_URL: fake.baseURL }, async () => {
        const fromEnv = new OpenAIResponses({ id: "llama3.2", maxRetries: 0 });
        assert.equal((await fromEnv.generate(hello)).text, "from the env url");
      });
      assert.deepEqual(
        fake.requests.map((request) => request.headers["authorization"]),
        ["Bearer not-needed", "Bearer not-needed"],
      );
      assert.equal(requestBody(fake.requests[0])["model"], "llama3.2");
    } finally {
      await fake.close();
    }
  });

  it("still asks for a key when there is neither a key nor a base URL (api.openai.com needs one)", async () => {
    await withEnv({}, async () => {
      const model = new OpenAIResponses({ id: "gpt-test", maxRetries: 0 });
      await assert.rejects(model.generate(hello), (error: unknown) => {
        assert.ok(error instanceof ModelError);
        assert.match(error.message, /No OpenAI API key: set the OPENAI_API_KEY environment variable or pass apiKey/);
        assert.match(error.message, /A local OpenAI-compatible server needs only baseURL\./);
        return true;
      });
    });
  });
});
