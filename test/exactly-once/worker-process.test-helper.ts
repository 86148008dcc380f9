// The test's side of a worker process: spawn it, send commands, receive messages with a timeout,
// wait for it to die, kill it. Starting a worker costs a second or more (tsx compiles kern on the
// way in), so tests start workers ahead of need and never one per run.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type Command, type Message, messageSchema, type Target } from "./protocol.test-helper.js";

const workerScript = new URL("./worker.test-helper.ts", import.meta.url).pathname;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class WorkerProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #messages: Message[] = [];
  #wake: (() => void) | undefined;
  #stderr = "";
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  #ready = false;

  constructor() {
    this.#child = spawn(process.execPath, ["--conditions=kern-source", "--import", "tsx", workerScript], {
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    this.#child.stderr.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-4000);
    });
    createInterface({ input: this.#child.stdout }).on("line", (line) => {
      const parsed = messageSchema.safeParse(safeJson(line));
      this.#messages.push(parsed.success ? parsed.data : { type: "failed", message: `unreadable line: ${line}` });
      this.#wake?.();
    });
    this.exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        this.#wake?.();
        resolve(this.#exit);
      });
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** What the worker wrote on stderr lately, for failure messages. */
  get stderr(): string {
    return this.#stderr;
  }

  send(command: Command): void {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** The next message; throws when none comes within `timeoutMs` or the worker died first. */
  async receive(timeoutMs: number, waitingFor: string): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.#messages.shift();
      if (message !== undefined) return message;
      if (this.#exit !== undefined) {
        throw new Error(
          `worker ${this.pid} exited (${JSON.stringify(this.#exit)}) while the test waited for ${waitingFor}; stderr: ${this.#stderr}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`worker ${this.pid} sent no ${waitingFor} within ${timeoutMs} ms; stderr: ${this.#stderr}`);
      await this.#nextEvent(left);
    }
  }

  /** Waits until a message arrives, the worker exits, or `timeoutMs` passes. */
  async #nextEvent(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }

  /** Messages received and not yet read (e.g. after the worker died). */
  drain(): Message[] {
    return this.#messages.splice(0);
  }

  /** Waits for the worker to become ready (at once if it already said so). */
  async ready(timeoutMs: number): Promise<this> {
    if (this.#ready) return this;
    const message = await this.receive(timeoutMs, "ready");
    if (message.type !== "ready") throw new Error(`worker ${this.pid} sent ${JSON.stringify(message)} before ready`);
    this.#ready = true;
    return this;
  }

  /** Points the worker at a test's store and log; resolves once it is connected. */
  async open(target: Target, timeoutMs: number): Promise<this> {
    this.send({ op: "open", target });
    const message = await this.receive(timeoutMs, "opened");
    if (message.type !== "opened")
      throw new Error(`worker ${this.pid} could not open the store: ${JSON.stringify(message)}`);
    return this;
  }

  /** Waits for the worker to die; kills it and throws if it is still alive after `timeoutMs`. */
  async death(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const exit = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (exit !== null) return exit;
    this.kill();
    throw new Error(`worker ${this.pid} was still alive after ${timeoutMs} ms; stderr: ${this.#stderr}`);
  }

  /** Sends a signal (SIGSTOP freezes the process, SIGCONT wakes it) unless it already exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.#exit === undefined) this.#child.kill(signal);
  }

  /** The next message if one arrives within `timeoutMs`, else null (the worker is still busy). */
  async poll(timeoutMs: number): Promise<Message | null> {
    if (this.#messages.length === 0 && this.#exit === undefined) await this.#nextEvent(timeoutMs);
    return this.#messages.shift() ?? null;
  }

  /** SIGKILLs the worker unless it already exited; safe to call any number of times. */
  kill(): void {
    if (this.#exit === undefined) this.#child.kill("SIGKILL");
  }

  /** Kills the worker and waits until it is gone. */
  async stop(): Promise<void> {
    this.kill();
    await this.exited;
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return null;
  }
}

/**
 * Keeps `spares` workers starting ahead of need, so a test that kills one worker per batch
 * waits for start-up only when it outruns them.
 */
export class WorkerPool {
  readonly #spares: WorkerProcess[] = [];
  readonly #all: WorkerProcess[] = [];
  readonly #size: number;

  constructor(spares: number) {
    this.#size = spares;
    this.#fill();
  }

  /** A worker of the caller's own, ready and connected to `target`; a replacement starts at once. */
  async take(target: Target, timeoutMs: number): Promise<WorkerProcess> {
    const worker = this.#spares.shift();
    this.#fill();
    if (worker === undefined) throw new Error("the pool has no worker");
    return (await worker.ready(timeoutMs)).open(target, timeoutMs);
  }

  /** Kills every worker the pool started. */
  async close(): Promise<void> {
    this.#spares.splice(0);
    await Promise.all(this.#all.map((worker) => worker.stop()));
  }

  #fill(): void {
    while (this.#spares.length < this.#size) {
      const worker = new WorkerProcess();
      this.#spares.push(worker);
      this.#all.push(worker);
    }
  }
}
