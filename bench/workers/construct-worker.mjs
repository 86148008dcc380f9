// Agent construction cost for one framework, in a fresh process with --expose-gc:
//   node --expose-gc bench/workers/construct-worker.mjs <framework>
// Prints JSON: median µs per construction over 10,000 samples (each sample a batch sized to
// last >= ~20 µs, divided by the batch size) and retained heap bytes per Agent.
import { performance } from "node:perf_hooks";
import { median } from "../lib/stats.mjs";

const SAMPLES = 10_000;
const HEAP_AGENTS = 10_000;

/** Each returns `construct()`, building one Agent from parts made once (model, tools). */
const FRAMEWORKS = {
  async kern() {
    const { Agent } = await import("kern/agent");
    const { InstantModel, sendAlert } = await import("../frameworks/kern.mjs");
    const model = new InstantModel();
    return () => new Agent({ name: "AlertAgent", instructions: "Send weather alerts.", model, tools: [sendAlert] });
  },
  async "openai-agents"() {
    const { Agent } = await import("@openai/agents");
    const { InstantModel, sendAlert } = await import("../frameworks/openai-agents.mjs");
    const model = new InstantModel();
    return () => new Agent({ name: "AlertAgent", instructions: "Send weather alerts.", model, tools: [sendAlert] });
  },
  async langgraph() {
    const { createReactAgent } = await import("@langchain/langgraph/prebuilt");
    const { InstantChatModel, sendAlert } = await import("../frameworks/langgraph.mjs");
    const llm = new InstantChatModel({});
    return () => createReactAgent({ llm, tools: [sendAlert], prompt: "Send weather alerts." });
  },
  async mastra() {
    const { Agent } = await import("@mastra/core/agent");
    const { instantModel, sendAlert } = await import("../frameworks/mastra.mjs");
    const model = instantModel();
    return () => new Agent({ id: "alertAgent", name: "AlertAgent", instructions: "Send weather alerts.", model, tools: { send_alert: sendAlert } });
  },
};

function timeConstruction(construct) {
  // Keep every Agent reachable until the next batch overwrites it, so none is optimized away.
  const keep = new Array(64).fill(null);
  for (let index = 0; index < 2000; index += 1) keep[index & 63] = construct(); // warm-up
  // Batch size: enough constructions to last >= 20 µs (estimated from 2,000 timed ones), so the
  // timer's own cost (tens of ns) stays small next to what is measured.
  const estimateStart = performance.now();
  for (let index = 0; index < 2000; index += 1) keep[index & 63] = construct();
  const estimateUs = ((performance.now() - estimateStart) * 1000) / 2000;
  const batch = Math.min(4096, Math.max(1, Math.ceil(20 / estimateUs)));
  const samples = new Float64Array(SAMPLES);
  for (let sample = 0; sample < SAMPLES; sample += 1) {
    const start = performance.now();
    for (let index = 0; index < batch; index += 1) keep[index & 63] = construct();
    samples[sample] = ((performance.now() - start) * 1000) / batch;
  }
  return { medianUs: median(samples), batch };
}

function heapPerAgent(construct, count) {
  const agents = new Array(count).fill(null);
  globalThis.gc();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  for (let index = 0; index < count; index += 1) agents[index] = construct();
  globalThis.gc();
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  if (agents.some((agent) => agent === null)) throw new Error("lost an agent");
  return (after - before) / count;
}

const name = process.argv[2];
const construct = await FRAMEWORKS[name]();
const heapCount = name === "langgraph" ? 1_000 : HEAP_AGENTS;
const heapBytes = heapPerAgent(construct, heapCount);
const timing = timeConstruction(construct);
console.log(JSON.stringify({ framework: name, ...timing, heapBytes, heapCount }));
