// One leg of a gated agent run in its own process, with an OpenTelemetry SDK registered as a user
// would (in-memory exporters): `pause <dbFile>` starts the run until it pauses; `decide <dbFile>
// <runId> <sessionId>` approves and continues it. Prints what was recorded as one JSON line.
import { metrics, trace } from "@opentelemetry/api";
import { DataPointType, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { SqliteDb } from "../db/sqlite/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";

class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
const reader = new ManualReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

const [mode, dbFile = "", runId = "", sessionId = ""] = process.argv.slice(2);
const db = new SqliteDb({ dbFile });
let sent = 0;
const send = tool({
  name: "send_alert",
  parameters: z.object({ city: z.string() }),
  requiresConfirmation: true,
  execute: ({ city }) => {
    sent += 1;
    return `Sent for ${city}`;
  },
});
const model = new FakeModel(
  mode === "pause"
    ? [toolCall("send_alert", { city: "Tokyo" }, { usage: { inputTokens: 120, outputTokens: 15 } })]
    : [text("Sent.", { usage: { inputTokens: 160, outputTokens: 4 } })],
  { id: "fake-4o" },
);
const agent = new Agent({ name: "Alerter", model, tools: [send], db });

let run = mode === "pause" ? await agent.run("Alert Tokyo") : await agent.getRunOutput(runId, sessionId);
if (mode === "decide") {
  run.activeRequirements[0]?.confirm();
  run = await agent.continueRun(run, { actor: { id: "olga", roles: ["ops"] } });
}
const { resourceMetrics } = await reader.collect();
const latency = resourceMetrics.scopeMetrics
  .flatMap((scope) => scope.metrics)
  .filter((metric) => metric.descriptor.name === "kern.decision.latency")
  .flatMap((metric) =>
    metric.dataPointType === DataPointType.HISTOGRAM
      ? metric.dataPoints.map((point) => ({ count: point.value.count, attributes: point.attributes }))
      : [],
  );
const recorded = spans.getFinishedSpans().map((span) => ({
  name: span.name,
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId ?? null,
  startMs: span.startTime[0] * 1000 + Math.floor(span.startTime[1] / 1e6),
  attributes: span.attributes,
  links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
  status: span.status.code,
}));
const requirement = run.toJSON().requirements[0];
process.stdout.write(
  `${JSON.stringify({ runId: run.runId, sessionId: run.sessionId, status: run.status, sent, spans: recorded, latency, pausedAt: requirement?.pausedAt ?? null, trace: requirement?.trace ?? null })}\n`,
);
await db.close();
