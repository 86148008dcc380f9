import type { RunStatus } from "./agent-run-state.js";

/** What every stored run has, agent or workflow. */
interface RunBasics {
  runId: string;
  sessionId: string;
  userId: string | null;
  status: RunStatus;
  error: { code: string; message: string } | null;
  usage: Readonly<{ inputTokens: number; outputTokens: number }>;
}

/** The getters RunOutput and WorkflowRunOutput share: a read-only view over a run's stored state. */
export abstract class RunView {
  readonly #basics: RunBasics;

  constructor(basics: RunBasics) {
    this.#basics = basics;
  }

  get runId(): string {
    return this.#basics.runId;
  }
  get sessionId(): string {
    return this.#basics.sessionId;
  }
  get userId(): string | undefined {
    return this.#basics.userId ?? undefined;
  }
  get status(): RunStatus {
    return this.#basics.status;
  }
  get isPaused(): boolean {
    return this.#basics.status === "paused";
  }
  /**
   * Tokens summed over the run's model calls, as the providers reported them (a workflow: over
   * its steps' agent runs). Stored with the run.
   */
  get usage(): Readonly<{ inputTokens: number; outputTokens: number }> {
    return this.#basics.usage;
  }
  /** The stored error, when `status` is "error". */
  get error(): { code: string; message: string } | undefined {
    return this.#basics.error ?? undefined;
  }
}
