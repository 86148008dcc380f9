import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { GateReminder, SweepReport } from "../runs/index.js";

/** A listening server, as `start()` returns it. */
export interface StartedServer {
  /** e.g. "http://127.0.0.1:3000" */
  url: string;
  /** Stops the sweep, waits for a sweep in progress, and closes the listener and its connections. */
  close(): Promise<void>;
}

type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Starts the HTTP listener; resolves once it accepts connections. */
export async function listen(
  fetch: FetchHandler,
  port: number,
  hostname: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createAdaptorServer({ fetch, hostname, port });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Keep-alive and event-stream connections would otherwise hold close() open.
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}

/** What the sweep visits: a workflow or an agent (served on its own). */
export interface Sweepable {
  readonly id: string;
  expirePausedRuns(): Promise<SweepReport>;
}

/** Where a reminder goes by default: the server's log. */
function logReminder(log: (line: string) => void): (reminder: GateReminder) => void {
  return (reminder) =>
    log(
      `kern/server: reminder: ${reminder.kind} run '${reminder.runId}' of '${reminder.ownerId}' waits for a decision on requirement '${reminder.requirementId}'${reminder.approvers === null ? "" : ` by ${reminder.approvers.join(", ")}`} (deadline ${new Date(reminder.deadline).toISOString()})`,
    );
}

/** Sweeps one workflow or agent, logging what it left alone and handing on its reminders. */
async function sweepOne(
  owner: Sweepable,
  log: (line: string) => void,
  onReminder: (reminder: GateReminder) => void | Promise<void>,
): Promise<void> {
  const { skipped, reminders } = await owner.expirePausedRuns();
  for (const row of skipped)
    log(
      `kern/server: the timeout sweep left ${row.kind} run '${row.runId}' of '${owner.id}' as it is (${row.code}): ${row.reason}`,
    );
  for (const reminder of reminders) {
    try {
      await onReminder(reminder);
    } catch (error) {
      log(`kern/server: onReminder failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Calls `expirePausedRuns()` on every workflow and agent each `intervalMs`, one sweep at a time,
 * handing each reminder that fell due to `onReminder` (default: the log). A failing sweep is
 * logged and the next one tries again. Returns a function that stops the sweep and waits for
 * one in progress.
 */
export function startSweep(
  owners: readonly Sweepable[],
  intervalMs: number,
  log: (line: string) => void,
  onReminder: ((reminder: GateReminder) => void | Promise<void>) | undefined,
): () => Promise<void> {
  if (intervalMs <= 0 || owners.length === 0) return async () => undefined;
  let running: Promise<void> | undefined;
  const remind = onReminder ?? logReminder(log);
  const sweep = async (): Promise<void> => {
    for (const owner of owners) {
      try {
        await sweepOne(owner, log, remind);
      } catch (error) {
        log(
          `kern/server: expiring paused runs of '${owner.id}' failed (retrying in ${intervalMs} ms): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  };
  const timer = setInterval(() => {
    running ??= sweep().finally(() => {
      running = undefined;
    });
  }, intervalMs);
  // The sweep alone must not keep the process alive.
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
