// One variant of the telemetry part in its own process: the cycle part's `kern-memory` cycle (the
// dual-HITL cycle on InMemoryDb), warmed up, then timed; prints one JSON line. See
// bench/parts/telemetry.mjs for the variants.
//   node [--require ./without-otel-api.cjs] bench/workers/telemetry-worker.mjs <variant> <warm-up cycles> <warm-up ms> <timed cycles>
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { check } from "../lib/stats.mjs";
import { TARGETS } from "../lib/targets.mjs";

const [variant, warmupCyclesText, warmupMsText, cyclesText] = process.argv.slice(2);
const REFUSALS = Symbol.for("kern-bench.otel-api-refusals");
// kern loads `@opentelemetry/api` from its own location (dist/, so the repo root's node_modules);
// the checks and the SDK load it from there too, so there is one copy of the API in the process.
const requireFromKern = createRequire(import.meta.resolve("kern"));
const exported = { spans: 0 };

/** An exporter that drops every span: the SDK still records, ends and hands over each one. */
const droppingExporter = {
  export(spans, done) {
    exported.spans += spans.length;
    done({ code: 0 }); // ExportResultCode.SUCCESS
  },
  shutdown: async () => undefined,
};

function isResolvable(name) {
  try {
    requireFromKern.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Sets the process up as the variant says, and checks that it is what it says, before kern runs. */
function prepare() {
  switch (variant) {
    case "no-api":
      check(
        globalThis[REFUSALS] !== undefined,
        "the no-api variant runs with bench/workers/without-otel-api.cjs preloaded",
      );
      check(!isResolvable("@opentelemetry/api"), "@opentelemetry/api cannot be resolved from kern's location");
      return;
    case "api-no-sdk": {
      const api = requireFromKern("@opentelemetry/api");
      check(
        !api.trace.getTracer("bench").startSpan("check").isRecording(),
        "no SDK is registered: the API's spans do not record",
      );
      return;
    }
    case "sdk": {
      const api = requireFromKern("@opentelemetry/api");
      const { BasicTracerProvider, SimpleSpanProcessor } = requireFromKern("@opentelemetry/sdk-trace-base");
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(droppingExporter)] });
      check(api.trace.setGlobalTracerProvider(provider), "the SDK's tracer provider is registered");
      check(api.trace.getTracer("bench").startSpan("check").isRecording(), "with the SDK registered, spans record");
      return;
    }
    default:
      throw new Error(`unknown telemetry variant ${variant}`);
  }
}

prepare();
const refusalsBefore = globalThis[REFUSALS] ?? 0;
const target = await TARGETS["kern-memory"].create({});
const [warmupCycles, warmupMs, cycles] = [warmupCyclesText, warmupMsText, cyclesText].map(Number);
const warmupStarted = performance.now();
let warmed = 0;
while (warmed < warmupCycles && performance.now() - warmupStarted < warmupMs) {
  await target.cycle();
  warmed += 1;
}
const spansBefore = exported.spans;
const samples = [];
const cpuBefore = process.cpuUsage();
for (let index = 0; index < cycles; index += 1) {
  const start = performance.now();
  await target.cycle(); // throws on any failed check: no number comes from that cycle
  samples.push(performance.now() - start);
}
const cpu = process.cpuUsage(cpuBefore);
await target.close();
const kernRefusals = (globalThis[REFUSALS] ?? 0) - refusalsBefore;
if (variant === "no-api") check(kernRefusals >= 1, "kern asked for @opentelemetry/api and was refused");
if (variant === "sdk") check(exported.spans > spansBefore, "spans were recorded and exported during the timed cycles");
console.log(
  JSON.stringify({
    variant,
    warmed,
    samples,
    cpuUsPerCycle: (cpu.user + cpu.system) / cycles,
    spansPerCycle: (exported.spans - spansBefore) / cycles,
    kernRefusals,
  }),
);
