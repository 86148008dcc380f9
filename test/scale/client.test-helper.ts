// The scale-out tests' HTTP side: a person (or a client program) talking to random replicas.
export type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  body: Json;
}

/**
 * One HTTP request. A GET whose connection breaks is sent again, as any client does with a
 * request that changes nothing (a pooled keep-alive connection the server just closed is reset).
 */
export async function request(url: string, method: "GET" | "POST", body?: unknown, attempt = 1): Promise<Answer> {
  let response: Response;
  try {
    response = await send(url, method, body);
  } catch (error) {
    if (method !== "GET" || attempt >= 3) throw error;
    return request(url, method, body, attempt + 1);
  }
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Json) };
}

function send(url: string, method: "GET" | "POST", body: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
}

/** One run the test started: its ids and its input (which names it in the execution log). */
export interface StartedRun {
  runId: string;
  sessionId: string;
  input: string;
}

/** A decision for one requirement, as the continue endpoint takes it. */
export interface DecisionInput {
  requirementId: string;
  decision: { type: string; feedback?: string };
}

/**
 * The decisions a person makes on a paused ScaleDual run: confirm the step; approve every tool
 * call; a call that recovery says may or may not have run is checked against the execution log
 * (the outside world) first: approved again only if it never ran, else skipped (rejected).
 */
export function decide(run: Json, ranCalls: ReadonlySet<string>): DecisionInput[] {
  const active = run["activeRequirement"] as Json | null;
  if (active === null || active === undefined) return [];
  const id = String(active["id"]);
  if (active["kind"] === "error") return [{ requirementId: id, decision: { type: "retry" } }];
  if (active["kind"] !== "executor") return [{ requirementId: id, decision: { type: "confirm" } }];
  const calls = (active["calls"] ?? []) as Array<{ requirement: Json; execution: Json }>;
  return calls
    .filter((call) => call.requirement["decision"] === null || call.requirement["decision"] === undefined)
    .map((call) => {
      const ran = ranCalls.has(String(call.execution["toolCallId"]));
      const uncertain = call.requirement["recovered"] === true;
      const decision =
        uncertain && ran ? { type: "reject", feedback: "It already ran (the log shows it)." } : { type: "confirm" };
      return { requirementId: String(call.requirement["id"]), decision };
    });
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}
