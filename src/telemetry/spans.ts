import type { Context, Histogram, SpanContext } from "@opentelemetry/api";
import { otel } from "./otel.js";

/** Attribute values kern records. */
export type SpanAttributes = Record<string, string | number | boolean>;

/**
 * One span, or nothing when nothing is recorded (no API installed, no SDK registered, or not
 * sampled): every method is then a no-op, so the run pays for none of it.
 */
export interface TraceSpan {
  set(attributes: SpanAttributes): void;
  /** Ends the span; with `error`, records it and marks the span as failed. */
  end(error?: unknown): void;
  /** The W3C `traceparent` of this span, stored with a pause so the decision can link to it. */
  traceparent(): string | null;
  /** Runs `fn` with this span active, so spans started inside (by kern or user code) nest under it. */
  run<T>(fn: () => T): T;
  /** The OpenTelemetry context holding this span (opaque; null when nothing is recorded). */
  readonly context: unknown;
}

export const NO_SPAN: TraceSpan = {
  set: () => undefined,
  end: () => undefined,
  traceparent: () => null,
  run: (fn) => fn(),
  context: null,
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function spanContextOf(traceparent: string): SpanContext | null {
  const match = TRACEPARENT.exec(traceparent);
  if (match === null) return null;
  const [, traceId = "", spanId = "", flags = "00"] = match;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
}

/**
 * Starts a span named `name` under `parent` (or under whatever span is active, e.g. the caller's
 * own). `startTime` back-dates it (ms since the epoch); `links` are traceparents of related spans.
 */
export function startSpan(
  name: string,
  attributes: SpanAttributes,
  parent: TraceSpan | null,
  options: { startTime?: number; links?: readonly string[] } = {},
): TraceSpan {
  const api = otel();
  if (api === null) return NO_SPAN;
  const parentContext = (parent?.context as Context | null | undefined) ?? api.context.active();
  const links = (options.links ?? []).flatMap((traceparent) => {
    const context = spanContextOf(traceparent);
    return context === null ? [] : [{ context }];
  });
  const span = api.trace
    .getTracer("kern")
    .startSpan(
      name,
      { attributes, links, ...(options.startTime === undefined ? {} : { startTime: options.startTime }) },
      parentContext,
    );
  if (!span.isRecording()) return NO_SPAN;
  const context = api.trace.setSpan(parentContext, span);
  return {
    set: (more) => {
      span.setAttributes(more);
    },
    end: (error) => {
      if (error !== undefined) {
        const message = error instanceof Error ? error.message : String(error);
        span.recordException(error instanceof Error ? error : message);
        span.setStatus({ code: api.SpanStatusCode.ERROR, message });
      }
      span.end();
    },
    traceparent: () => {
      const { traceId, spanId, traceFlags } = span.spanContext();
      return `00-${traceId}-${spanId}-${(traceFlags & 1) === 1 ? "01" : "00"}`;
    },
    run: (fn) => api.context.with(context, fn),
    context,
  };
}

let latency: Histogram | undefined;

/** Records how long a gate waited for its decision, by gate kind (`kern.decision.latency`, seconds). */
export function recordDecisionLatency(seconds: number, attributes: SpanAttributes): void {
  const api = otel();
  if (api === null) return;
  latency ??= api.metrics.getMeter("kern").createHistogram("kern.decision.latency", {
    unit: "s",
    description: "How long a gate waited from its pause to its decision.",
  });
  latency.record(seconds, attributes);
}

/** Internal option: the span a step agent's run nests under (its workflow step's). */
export const traceParent: unique symbol = Symbol("kern.traceParent");
