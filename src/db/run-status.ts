/** Where a run is in its life; the store keeps it as the run's `status` column. */
export const RUN_STATUSES = ["pending", "running", "paused", "completed", "cancelled", "error"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
