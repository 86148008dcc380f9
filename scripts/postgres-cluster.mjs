// A throwaway PostgreSQL cluster for the tests: trust authentication, loopback only, durability
// switched off (it is deleted afterwards), in a fresh directory. scripts/run-tests.mjs starts one
// when KERN_TEST_POSTGRES_URL is not set.
//
//   import { startCluster } from "./postgres-cluster.mjs";
//   const cluster = await startCluster(); // { url, stop }
//   ...
//   await cluster.stop();
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const DEBIAN_ROOT = "/usr/lib/postgresql";
// The data directory is ~40 MB; in memory, initdb takes half the time it takes on disk.
const MEMORY_ROOT = "/dev/shm";
const MEMORY_ROOT_MIN_FREE = 512 * 1024 * 1024;

/**
 * The directory holding initdb and pg_ctl: KERN_TEST_POSTGRES_BIN if set (also a way to test the
 * runner without them), else on the PATH, else Debian's newest; null if none.
 */
export function findPostgresBinaries() {
  const chosen = process.env.KERN_TEST_POSTGRES_BIN;
  if (chosen)
    return isExecutable(path.join(chosen, "initdb")) && isExecutable(path.join(chosen, "pg_ctl")) ? chosen : null;
  for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
    const initdb = path.join(directory, "initdb");
    if (directory !== "" && isExecutable(initdb)) {
      const real = path.dirname(fs.realpathSync(initdb));
      if (isExecutable(path.join(real, "pg_ctl"))) return real;
      if (isExecutable(path.join(directory, "pg_ctl"))) return directory;
    }
  }
  let versions = [];
  try {
    versions = fs.readdirSync(DEBIAN_ROOT).sort((a, b) => Number(b) - Number(a));
  } catch {
    return null;
  }
  for (const version of versions) {
    const directory = path.join(DEBIAN_ROOT, version, "bin");
    if (isExecutable(path.join(directory, "initdb")) && isExecutable(path.join(directory, "pg_ctl"))) return directory;
  }
  return null;
}

/**
 * Creates and starts a cluster; resolves to `{ url, stop }`. `stop()` shuts the server down and
 * deletes its directory; calling it again does nothing. As root, the server runs as the
 * `postgres` user (initdb refuses root).
 */
export async function startCluster({ binaries = findPostgresBinaries() } = {}) {
  if (binaries === null) throw new Error("PostgreSQL binaries (initdb, pg_ctl) not found");
  const base = fs.mkdtempSync(path.join(temporaryRoot(), "kern-postgres-"));
  const dataDir = path.join(base, "data");
  const owner = process.getuid?.() === 0 ? postgresUser() : null;
  if (owner !== null) fs.chownSync(base, owner.uid, owner.gid);
  const run = (program, args) =>
    runProgram(path.join(binaries, program), args, { cwd: base, asPostgres: owner !== null });
  let started = false;
  const stop = async () => {
    if (started) {
      started = false;
      await run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]).catch((error) => {
        console.error(`postgres-cluster: stopping the server failed: ${error.message}`);
      });
    }
    fs.rmSync(base, { recursive: true, force: true });
  };
  try {
    await run("initdb", [
      "-D",
      dataDir,
      "-A",
      "trust",
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
    const port = await startServer(run, dataDir, base);
    started = true;
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts the server on a free port; another process can take the port in between, so retry. */
async function startServer(run, dataDir, base) {
  const settings = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${base} ${settings}`;
    const logFile = path.join(base, "server.log");
    try {
      // -l sends the server's output to a file: otherwise it would hold our pipes open forever.
      await run("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", serverOptions, "-w", "start"]);
      return port;
    } catch (error) {
      const log = readOrEmpty(logFile);
      if (attempt >= 3 || !/could not bind|address already in use/i.test(log)) {
        throw new Error(`${error.message}\nserver log:\n${log}`);
      }
    }
  }
}

function runProgram(program, args, { cwd, asPostgres }) {
  const [command, commandArgs] = asPostgres ? ["runuser", ["-u", "postgres", "--", program, ...args]] : [program, args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve(output);
      else
        reject(
          new Error(
            `${path.basename(program)} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`,
          ),
        );
    });
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

function temporaryRoot() {
  try {
    fs.accessSync(MEMORY_ROOT, fs.constants.W_OK);
    const stats = fs.statfsSync(MEMORY_ROOT);
    if (stats.bavail * stats.bsize >= MEMORY_ROOT_MIN_FREE) return MEMORY_ROOT;
  } catch {
    // No usable /dev/shm: the ordinary temporary directory works, a little slower.
  }
  return os.tmpdir();
}

function postgresUser() {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    throw new Error("running as root, but there is no 'postgres' user to run the server as (initdb refuses root)");
  }
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function readOrEmpty(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
