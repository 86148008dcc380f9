import { ConfigurationError } from "../errors.js";

/** How long a claim holds a run unless its holder renews it (the default of `leaseMs`). */
export const DEFAULT_LEASE_MS = 5 * 60 * 1000;

/** The shortest lease kern accepts: renewals every third of it must fit between writes. */
export const MIN_LEASE_MS = 30;

/** Checks an Agent's or Workflow's `leaseMs` option; `label` names the owner, e.g. "Agent 'x'". */
export function checkLeaseMs(label: string, leaseMs: number | undefined): void {
  if (leaseMs !== undefined && (!Number.isSafeInteger(leaseMs) || leaseMs < MIN_LEASE_MS)) {
    throw new ConfigurationError(
      `${label} leaseMs must be a whole number of milliseconds, ${MIN_LEASE_MS} or more; got ${String(leaseMs)}.`,
    );
  }
}
