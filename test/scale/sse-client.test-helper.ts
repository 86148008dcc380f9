// A Server-Sent Events client for the tests: reads `id:`/`event:` blocks as they arrive, and can
// be cut off mid-stream, as a browser's EventSource is when its connection drops.
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/**
 * Reads the stream at `url` (sending `Last-Event-ID` when given) until it ends, or until `stopAfter`
 * returns true for an event (then the connection is cut). Returns the events read.
 */
export async function readSse(
  url: string,
  lastEventId: string | null,
  stopAfter: (event: SseEvent) => boolean = () => false,
): Promise<SseEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60_000);
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...(lastEventId === null ? {} : { "last-event-id": lastEventId }) },
    signal: abort.signal,
  });
  if (response.status !== 200 || response.body === null) throw new Error(`SSE answered ${response.status}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = {
          id: /^id: (.*)$/m.exec(block)?.[1] ?? null,
          event: /^event: (.*)$/m.exec(block)?.[1] ?? "message",
          data: /^data: (.*)$/m.exec(block)?.[1] ?? "",
        };
        events.push(event);
        if (stopAfter(event)) {
          abort.abort();
          return events;
        }
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return events;
}
