import { createRequire } from "node:module";

/**
 * OpenTelemetry through `@opentelemetry/api` only, an optional peer: kern never loads an SDK or
 * an exporter. Without the API installed, or with no SDK registered (the API's tracer is then a
 * no-op), nothing is recorded.
 */
type OtelApi = typeof import("@opentelemetry/api");

let loaded: OtelApi | null | undefined;

/** The API, or null when it is not installed. Loaded once, synchronously, on first use. */
export function otel(): OtelApi | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)("@opentelemetry/api") as OtelApi;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}
