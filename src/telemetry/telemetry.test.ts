import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";

const child = new URL("./telemetry-child.test-helper.ts", import.meta.url).pathname;

interface RecordedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  startMs: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
  status: number;
}

interface Leg {
  runId: string;
  sessionId: string;
  status: string;
  sent: number;
  spans: RecordedSpan[];
  latency: Array<{ count: number; attributes: Record<string, unknown> }>;
  pausedAt: number | null;
  trace: string | null;
}

async function leg(args: string[]): Promise<Leg> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--conditions=kern-source", "--import", "tsx", child, ...args],
    {
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Leg;
}

function one(spans: RecordedSpan[], name: string): RecordedSpan {
  const found = spans.filter((span) => span.name === name);
  assert.equal(found.length, 1, `one ${name} span in ${spans.map((span) => span.name).join(", ")}`);
  return found[0] as RecordedSpan;
}

describe("OpenTelemetry across processes", () => {
  it("starts the awaiting-human wait in the pausing process and ends it, linked, in the deciding one", {
    timeout: 60_000,
  }, async () => {
    const directory = mkdtempSync(join(tmpdir(), "kern-otel-"));
    try {
      const dbFile = join(directory, "runs.db");
      const first = await leg(["pause", dbFile]);
      assert.equal(first.status, "paused");
      const agentSpan = one(first.spans, "invoke_agent Alerter");
      const chat = one(first.spans, "chat fake-4o");
      assert.equal(chat.parentSpanId, agentSpan.spanId);
      assert.deepEqual(
        [
          chat.attributes["gen_ai.operation.name"],
          chat.attributes["gen_ai.request.model"],
          chat.attributes["gen_ai.usage.input_tokens"],
          chat.attributes["gen_ai.usage.output_tokens"],
        ],
        ["chat", "fake-4o", 120, 15],
      );
      assert.equal(agentSpan.attributes["kern.run.status"], "paused");
      assert.equal(first.spans.filter((span) => span.name === "kern.awaiting_human").length, 0);
      // The pause stores when it paused and the span that paused it.
      assert.equal(first.trace, `00-${agentSpan.traceId}-${agentSpan.spanId}-01`);
      assert.ok(first.pausedAt !== null && Math.abs(first.pausedAt - Date.now()) < 60_000);

      const second = await leg(["decide", dbFile, first.runId, first.sessionId]);
      assert.deepEqual([second.status, second.sent], ["completed", 1]);
      const continued = one(second.spans, "invoke_agent Alerter");
      const waited = one(second.spans, "kern.awaiting_human");
      assert.equal(waited.parentSpanId, continued.spanId);
      assert.notEqual(continued.traceId, agentSpan.traceId, "a new process, a new trace");
      assert.deepEqual(waited.links, [{ traceId: agentSpan.traceId, spanId: agentSpan.spanId }]);
      assert.equal(waited.startMs, first.pausedAt);
      assert.deepEqual(
        [
          waited.attributes["kern.gate.kind"],
          waited.attributes["kern.decision.type"],
          waited.attributes["kern.decided_by"],
          waited.attributes["kern.decision.automatic"],
        ],
        ["confirmation", "confirm", "olga", false],
      );
      const executed = one(second.spans, "execute_tool send_alert");
      assert.deepEqual(
        [executed.parentSpanId, executed.attributes["gen_ai.tool.name"]],
        [continued.spanId, "send_alert"],
      );
      assert.deepEqual(second.latency, [
        { count: 1, attributes: { "kern.gate.kind": "confirmation", "kern.run.kind": "agent" } },
      ]);
      assert.equal(continued.attributes["gen_ai.usage.input_tokens"], 280);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
