/** OpenTelemetry spans and metrics of runs, through `@opentelemetry/api` only (an optional peer). */
export { recordDecisions, stampPause } from "./awaiting.js";
export { NO_SPAN, startSpan, type TraceSpan, traceParent } from "./spans.js";
