import { ModelError } from "../errors.js";
import type {
  Model,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  ModelToolCall,
  ModelUsage,
} from "../models/index.js";

/** One scripted tool call: the tool's name and the arguments the model "chose". */
export interface FakeToolCall {
  name: string;
  args: Record<string, unknown> | string;
  /** The call id; defaults to `call_1`, `call_2`, ... in the order the model makes calls. */
  id?: string;
}

/** One scripted model turn. */
export type FakeTurn =
  | { type: "text"; text: string; usage?: ModelUsage }
  | { type: "toolCalls"; calls: FakeToolCall[]; text: string; usage?: ModelUsage }
  | { type: "error"; status: number | undefined; message: string };

/** A turn, or a function that builds one from the request (to answer with what it was told). */
export type FakeScript = FakeTurn | ((request: ModelRequest) => FakeTurn);

/** A turn in which the model answers with text and calls no tool; `usage` is what the provider would report. */
export function text(content: string, options: { usage?: ModelUsage } = {}): FakeTurn {
  return { type: "text", text: content, ...options };
}

/** A turn in which the model calls one tool. `args` may be raw JSON text (to test bad JSON). */
export function toolCall(
  name: string,
  args: Record<string, unknown> | string = {},
  options: { id?: string; usage?: ModelUsage } = {},
): FakeTurn {
  const { usage, ...call } = options;
  return { type: "toolCalls", calls: [{ name, args, ...call }], text: "", ...(usage === undefined ? {} : { usage }) };
}

/** A turn in which the model calls several tools at once, optionally with some text. */
export function toolCalls(calls: FakeToolCall[], content = ""): FakeTurn {
  return { type: "toolCalls", calls, text: content };
}

/** A turn in which the provider fails, as a ModelError with this HTTP status. */
export function error(status: number | undefined, message: string): FakeTurn {
  return { type: "error", status, message };
}

/**
 * A scripted model for tests: answers each request with the next scripted turn, records every
 * request, and throws on a call nobody scripted.
 *
 * @example
 * const model = new FakeModel([toolCall("send_alert", { city: "Tokyo" }), text("Sent.")]);
 * // ... run an agent with it ...
 * assert.equal(model.requests.length, 2);
 */
export class FakeModel implements Model {
  readonly provider = "fake";
  readonly id: string;
  /** Every request the model received, in order (copies, safe to inspect later). */
  readonly requests: ModelRequest[] = [];
  readonly #script: FakeScript[];
  #callCount = 0;

  constructor(script: FakeScript[] = [], options: { id?: string } = {}) {
    this.#script = [...script];
    this.id = options.id ?? "fake-model";
  }

  static text = text;
  static toolCall = toolCall;
  static toolCalls = toolCalls;
  static error = error;

  /** Appends turns to the script. */
  push(...turns: FakeScript[]): this {
    this.#script.push(...turns);
    return this;
  }

  /** How many scripted turns are left. */
  get remaining(): number {
    return this.#script.length;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    const { signal: _signal, ...copy } = request;
    this.requests.push(structuredClone(copy));
    const next = this.#script.shift();
    if (next === undefined) {
      throw new Error(
        `FakeModel '${this.id}' got unscripted request #${this.requests.length} ` +
          `(last message: ${JSON.stringify(request.messages.at(-1) ?? null)}); script another turn.`,
      );
    }
    const turn = typeof next === "function" ? next(request) : next;
    return this.#answer(turn);
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    const response = await this.generate(request);
    for (const piece of response.text.match(/\S+\s*/g) ?? []) {
      yield { type: "text-delta", delta: piece };
    }
    yield { type: "response", response };
  }

  #answer(turn: FakeTurn): ModelResponse {
    switch (turn.type) {
      case "text":
        return { text: turn.text, toolCalls: [], usage: turn.usage };
      case "toolCalls": {
        const calls: ModelToolCall[] = turn.calls.map((call) => {
          this.#callCount += 1;
          return {
            id: call.id ?? `call_${this.#callCount}`,
            name: call.name,
            arguments: typeof call.args === "string" ? call.args : JSON.stringify(call.args),
          };
        });
        return { text: turn.text, toolCalls: calls, usage: turn.usage };
      }
      case "error":
        throw new ModelError(`FakeModel error${turn.status === undefined ? "" : ` ${turn.status}`}: ${turn.message}`, {
          provider: this.provider,
          status: turn.status,
        });
      default: {
        const unreachable: never = turn;
        throw new Error(`Unknown fake turn ${JSON.stringify(unreachable)}`);
      }
    }
  }
}
