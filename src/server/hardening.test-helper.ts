import { request } from "node:http";

/** An answer read off the socket: status, headers and the JSON (or text) body. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/**
 * Sends one request with node:http, so a test controls what fetch() will not let it: the Host
 * header, and a body streamed in chunks without Content-Length (`chunks` of `chunkBytes` each).
 */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    chunks?: number;
    chunkBytes?: number;
    prefix?: string;
  },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers ?? {},
      },
      (incoming) => {
        let text = "";
        incoming.setEncoding("utf8");
        incoming.on("data", (part: string) => {
          text += part;
        });
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : { text },
          }),
        );
      },
    );
    // The server may answer (413) and stop reading before the whole body is written.
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    if (options.chunks === undefined) return void outgoing.end();
    const chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024, "a");
    let sent = 0;
    const writeMore = (): void => {
      if (sent === 0 && options.prefix !== undefined) outgoing.write(options.prefix);
      while (sent < (options.chunks ?? 0)) {
        sent += 1;
        if (!outgoing.write(chunk)) return void outgoing.once("drain", writeMore);
      }
      outgoing.end('"}');
    };
    writeMore();
  });
}
