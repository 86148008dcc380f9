// Small timing and statistics helpers shared by every benchmark part.
import { performance } from "node:perf_hooks";

/** The value at quantile `q` (0..1) of `values`, by the nearest-rank method on a sorted copy. */
export function quantile(values, q) {
  if (values.length === 0) throw new Error("quantile() of no values");
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => quantile(values, 0.5);
export const p95 = (values) => quantile(values, 0.95);
export const p99 = (values) => quantile(values, 0.99);

export function mean(values) {
  if (values.length === 0) throw new Error("mean() of no values");
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Milliseconds since an arbitrary origin, sub-microsecond resolution. */
export const now = () => performance.now();

/** Times `work` once; resolves to [milliseconds, result]. */
export async function timed(work) {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

/** Rounds for display: 3 significant digits, never scientific notation. */
export function fmt(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  if (value === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toFixed(Math.min(decimals, 6));
}

/** Throws when `condition` is false: a cycle that fails a check produces no number. */
export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}
