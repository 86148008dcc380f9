import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Resolves once `condition` holds, checking every 10 ms; fails the test after `withinMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  withinMs = 3_000,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `timed out after ${withinMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Milliseconds `promise` takes to reject, and what it rejected with; fails if it resolves. */
export async function timeRejection(
  call: Promise<unknown> | (() => Promise<unknown>),
): Promise<{ elapsedMs: number; error: unknown }> {
  // Pass a function to start the clock before the call does: a timer the call starts is then
  // never measured short by the call's own synchronous work (a loaded machine makes that long).
  const started = performance.now();
  try {
    await (typeof call === "function" ? call() : call);
  } catch (error) {
    return { elapsedMs: performance.now() - started, error };
  }
  assert.fail("expected the call to reject");
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(typeof address === "object" && address !== null);
  return address.port;
}

/** A loopback server that accepts connections and never sends a byte: a hung PostgreSQL. */
export async function startSilentServer(): Promise<{
  port: number;
  accepted: () => number;
  open: () => number;
  close: () => Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    // Read (and drop) what the client sends, so that its closing the connection is seen here.
    socket.resume();
  });
  const port = await listen(server);
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { port, accepted: () => accepted, open: () => sockets.size, close };
}

/**
 * A loopback proxy to a real server that, once armed, stops passing the server's answers back
 * as soon as the client sends COMMIT: a network that fails right after the server received it.
 */
export async function startCommitBlackhole(
  target: URL,
): Promise<{ url: URL; arm: () => void; close: () => Promise<void> }> {
  const commit = Buffer.from("COMMIT\0");
  const sockets = new Set<net.Socket>();
  let armed = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    let mute = false;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => {
      if (armed && chunk.includes(commit)) mute = true;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!mute) client.write(chunk);
    });
  });
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(await listen(server));
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url, arm: () => (armed = true), close };
}

/**
 * Stops (SIGSTOP) a PostgreSQL backend of the test server, as a frozen server is; returns the
 * function that resumes it. Only that one process stops: the cluster's other sessions run on.
 */
export function freezeBackend(pid: number): () => void {
  let command = "";
  try {
    command = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    // Not a process of this machine: the assertion below explains.
  }
  assert.match(
    command,
    /postgres/,
    `backend ${pid} is not a PostgreSQL process on this machine; this test needs the server on this machine (npm test starts one)`,
  );
  process.kill(pid, "SIGSTOP");
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    process.kill(pid, "SIGCONT");
  };
}

/** `dbUrl` with an application_name, so the test can find its sessions in pg_stat_activity. */
export function withApplicationName(dbUrl: string, name: string): string {
  const url = new URL(dbUrl);
  url.searchParams.set("application_name", name);
  return url.toString();
}
