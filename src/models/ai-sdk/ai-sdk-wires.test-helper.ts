/**
 * The official AI SDK provider packages, each pointed at the repository's loopback fake of its
 * provider's HTTP API: `@ai-sdk/openai` against the fake Responses API (`openai(id)`, the
 * package's default) and the fake Chat Completions API (`openai.chat(id)`), and
 * `@ai-sdk/anthropic` against the fake Messages API. Each {@link Wire} scripts its fake with
 * one provider-neutral reply shape, so a test can run the same scenario over all three.
 *
 * @example
 * ```ts
 * for (const wire of WIRES) {
 *   it(`... over ${wire.title}`, async () => {
 *     const fake = await wire.start();
 *     try {
 *       fake.enqueue({ text: "Hi.", usage: { inputTokens: 3, outputTokens: 1 } });
 *       const reply = await wire.model(fake).generate(request);
 *     } finally {
 *       await fake.close();
 *     }
 *   });
 * }
 * ```
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import {
  type FakeReply as MessagesReply,
  startFakeMessagesServer,
} from "../anthropic/claude-fake-server.test-helper.js";
import { type FakeFailureReply, type FakeRequest, isRecord } from "../fake-http-server.test-helper.js";
import { type FakeChatReply, startFakeChatServer } from "../openai/chat-fake-server.test-helper.js";
import {
  type FakeReply as ResponsesReply,
  startFakeResponsesServer,
} from "../openai/responses-fake-server.test-helper.js";
import { AiSdkModel, type AiSdkModelOptions } from "./index.js";

/** One tool call the fake model makes. */
export interface WireToolCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** A scripted turn in the shape every fake understands, or one of the shared failure replies. */
export type WireReply =
  | {
      text?: string;
      toolCalls?: WireToolCall[];
      usage?: { inputTokens: number; outputTokens: number };
      streamEnd?: "completed" | "drop" | "hang";
    }
  | FakeFailureReply;

/** A running fake of one provider's API, scripted with {@link WireReply}s. */
export interface WireFake {
  baseURL: string;
  requests: FakeRequest[];
  enqueue(reply: WireReply): void;
  pendingRequests(): number;
  close(): Promise<void>;
}

/** What a test may set besides the adapter's options: the provider's key and base URL. */
export type WireSettings = AiSdkModelOptions & { apiKey?: string; baseURL?: string };

/** One provider package against the fake of its API. */
export interface Wire {
  /** How test names say it, e.g. "@ai-sdk/openai, Chat Completions". */
  title: string;
  /** The `provider` of the AiSdkModel and of its ModelErrors. */
  provider: string;
  /** The provider model's `provider`, which error messages name. */
  label: string;
  start(): Promise<WireFake>;
  /** The provider package's model, as a user creates it. */
  languageModel(baseURL: string, apiKey: string): LanguageModelV3;
  /** An AiSdkModel of {@link languageModel}, pointed at `fake` unless `settings.baseURL` says otherwise. */
  model(fake: { baseURL: string }, settings?: WireSettings): AiSdkModel;
}

type NonFailure = Exclude<WireReply, FakeFailureReply>;

function isFailure(reply: WireReply): reply is FakeFailureReply {
  return "status" in reply || "hang" in reply;
}

/** Wraps a fake whose enqueue takes its own reply shape, converting each scripted turn. */
function wireFake<Reply>(
  fake: Omit<WireFake, "enqueue"> & { enqueue(reply: Reply): void },
  convert: (reply: NonFailure) => Reply,
  failure: (reply: FakeFailureReply) => Reply,
): WireFake {
  return {
    get baseURL() {
      return fake.baseURL;
    },
    requests: fake.requests,
    enqueue: (reply) => fake.enqueue(isFailure(reply) ? failure(reply) : convert(reply)),
    pendingRequests: () => fake.pendingRequests(),
    close: () => fake.close(),
  };
}

/** The OpenAI fakes' turn: calls as `{ callId, name, arguments }`. */
function openAITurn(reply: NonFailure): ResponsesReply & FakeChatReply {
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    callId: call.id,
    name: call.name,
    arguments: call.input,
  }));
  return {
    text: reply.text ?? "",
    toolCalls,
    ...(reply.usage === undefined ? {} : { usage: reply.usage }),
    ...(reply.streamEnd === undefined ? {} : { streamEnd: reply.streamEnd }),
  };
}

/** The Anthropic fake's turn: calls as `tool_use` blocks `{ id, name, input }`. */
function anthropicTurn(reply: NonFailure): MessagesReply {
  return {
    text: reply.text ?? "",
    toolCalls: reply.toolCalls ?? [],
    ...(reply.usage === undefined ? {} : { usage: reply.usage }),
    ...(reply.streamEnd === undefined ? {} : { streamEnd: reply.streamEnd }),
  };
}

/**
 * The fake Messages server puts `citations: null` on every text block (the type
 * `@anthropic-ai/sdk` declares); Anthropic's API leaves the field out unless citations are on,
 * and `@ai-sdk/anthropic` 3.x's response schema refuses `null` there ("Invalid JSON response").
 * This fetch removes those nulls from a JSON answer's content blocks, so the package reads what
 * the API would send. Streams are left alone: the package's stream schema ignores the field.
 */
const fetchWithoutNullCitations: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (!(response.headers.get("content-type") ?? "").includes("application/json")) return response;
  const body: unknown = await response.json();
  const content = isRecord(body) && Array.isArray(body["content"]) ? body["content"] : [];
  for (const block of content) if (isRecord(block) && block["citations"] === null) delete block["citations"];
  const { status, statusText, headers } = response;
  return new Response(JSON.stringify(body), { status, statusText, headers });
};

function aiSdkModel(wire: Wire, fake: { baseURL: string }, settings: WireSettings = {}): AiSdkModel {
  const { apiKey = "test-key", baseURL = fake.baseURL, ...options } = settings;
  return new AiSdkModel(wire.languageModel(baseURL, apiKey), options);
}

export const RESPONSES_WIRE: Wire = {
  title: "@ai-sdk/openai, Responses API",
  provider: "openai",
  label: "openai.responses",
  start: async () => wireFake(await startFakeResponsesServer(), openAITurn, (reply) => reply),
  // `openai(id)` is the package's default model: the Responses API.
  languageModel: (baseURL, apiKey) => createOpenAI({ baseURL, apiKey })("gpt-test"),
  model: (fake, settings) => aiSdkModel(RESPONSES_WIRE, fake, settings),
};

export const CHAT_WIRE: Wire = {
  title: "@ai-sdk/openai, Chat Completions",
  provider: "openai",
  label: "openai.chat",
  start: async () => wireFake(await startFakeChatServer(), openAITurn, (reply) => reply),
  languageModel: (baseURL, apiKey) => createOpenAI({ baseURL, apiKey }).chat("gpt-test"),
  model: (fake, settings) => aiSdkModel(CHAT_WIRE, fake, settings),
};

export const ANTHROPIC_WIRE: Wire = {
  title: "@ai-sdk/anthropic, Messages API",
  provider: "anthropic",
  label: "anthropic.messages",
  start: async () => wireFake(await startFakeMessagesServer(), anthropicTurn, (reply) => reply),
  // The fake's baseURL has no /v1 (as the Anthropic SDK wants); this package's includes it. A
  // model id the package knows: for an unknown one it drops sampling settings such as temperature.
  languageModel: (baseURL, apiKey) =>
    createAnthropic({ baseURL: `${baseURL}/v1`, apiKey, fetch: fetchWithoutNullCitations })("claude-sonnet-4-5"),
  model: (fake, settings) => aiSdkModel(ANTHROPIC_WIRE, fake, settings),
};

/** Every provider package the adapter is tested with. */
export const WIRES: readonly Wire[] = [RESPONSES_WIRE, CHAT_WIRE, ANTHROPIC_WIRE];
