import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Workflow } from "../workflow/index.js";

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

/**
 * Calls `expirePausedRuns()` on every workflow each `intervalMs`, one sweep at a time. A failing
 * sweep is logged and the next one tries again. Returns a function that stops the sweep and
 * waits for one in progress.
 */
export function startSweep(
  workflows: readonly Workflow[],
  intervalMs: number,
  log: (line: string) => void,
): () => Promise<void> {
  if (intervalMs <= 0 || workflows.length === 0) return async () => undefined;
  let running: Promise<void> | undefined;
  const sweep = async (): Promise<void> => {
    for (const workflow of workflows) {
      try {
        const { skipped } = await workflow.expirePausedRuns();
        for (const row of skipped)
          log(
            `kern/server: the timeout sweep left ${row.kind} run '${row.runId}' of workflow '${workflow.id}' as it is (${row.code}): ${row.reason}`,
          );
      } catch (error) {
        log(
          `kern/server: expiring paused runs of workflow '${workflow.id}' failed (retrying in ${intervalMs} ms): ${error instanceof Error ? error.message : String(error)}`,
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
