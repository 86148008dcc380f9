export type { FakeScript, FakeToolCall, FakeTurn } from "./fake-model.js";
export { error, FakeModel, text, toolCall, toolCalls } from "./fake-model.js";
export { RecordingQueue } from "./recording-queue.js";
