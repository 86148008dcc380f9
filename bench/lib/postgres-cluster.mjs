// A throwaway PostgreSQL cluster for the bench, with PostgreSQL's default durability: fsync on,
// synchronous_commit on (a COMMIT returns once its WAL is flushed to disk), full_page_writes on.
// The tests' cluster (scripts/postgres-cluster.mjs) switches all three off, which would make a
// commit on PostgreSQL cheaper than one on kern's SQLite (synchronous=FULL). The data directory
// sits under `dir`, on the same disk as the bench's SQLite files, not in memory.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { findPostgresBinaries } from "../../scripts/postgres-cluster.mjs";

function runAs(owner, program, args) {
  const [command, commandArgs] = owner === null ? [program, args] : ["runuser", ["-u", "postgres", "--", program, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(program)} failed (exit ${code}): ${output.trim().slice(-400)}`))));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a cluster under `dir`; resolves to `{ url, settings, stop }`. */
export async function startDurableCluster(dir) {
  const binaries = findPostgresBinaries();
  if (binaries === null) throw new Error("PostgreSQL binaries (initdb, pg_ctl) not found");
  const base = fs.mkdtempSync(path.join(dir, "postgres-"));
  const dataDir = path.join(base, "data");
  let owner = null;
  if (process.getuid?.() === 0) {
    // initdb refuses root: the server runs as the postgres user, who must own the directory.
    owner = { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) };
    fs.chmodSync(dir, 0o755);
    fs.chownSync(base, owner.uid, owner.gid);
  }
  await runAs(owner, path.join(binaries, "initdb"), ["-D", dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-instructions"]);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${base} -c max_connections=200`;
  await runAs(owner, path.join(binaries, "pg_ctl"), ["-D", dataDir, "-l", path.join(base, "server.log"), "-o", options, "-w", "start"]);
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    settings: "fsync=on, synchronous_commit=on, full_page_writes=on (PostgreSQL's defaults), data directory on disk",
    async stop() {
      if (!running) return;
      running = false;
      await runAs(owner, path.join(binaries, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"]).catch((error) => console.error(`bench: stopping PostgreSQL failed: ${error.message}`));
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
