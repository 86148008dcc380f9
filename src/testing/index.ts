export { error, FakeModel, text, toolCall, toolCalls } from "./fake-model.js";
export type { FakeScript, FakeToolCall, FakeTurn } from "./fake-model.js";
