import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Tool as McpTool } from "@modelcontextprotocol/sdk/types.js";

/**
 * One MCP server as kern reaches it: the user's factory, called on first use and again whenever
 * the client it gave has closed (the server process exited, the user closed it). A process that
 * continues a paused run connects through the same factory, since definitions are code.
 */
export class McpConnection {
  readonly #connect: () => Promise<Client>;
  #client: Promise<Client> | undefined;

  constructor(connect: () => Promise<Client>) {
    this.#connect = connect;
  }

  /** A connected client: the one made before while it is open, else a new one. */
  async client(): Promise<Client> {
    const current = this.#client;
    if (current !== undefined) {
      const client = await current.catch(() => undefined);
      // A closed client has no transport; a failed connect is tried again.
      if (client?.transport !== undefined) return client;
      if (this.#client !== current) return this.client();
    }
    const next = this.#connect();
    this.#client = next;
    next.catch(() => {
      if (this.#client === next) this.#client = undefined;
    });
    return next;
  }

  /** Every tool the server lists now, across pages. */
  async listTools(signal?: AbortSignal): Promise<McpTool[]> {
    const client = await this.client();
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(
        cursor === undefined ? {} : { cursor },
        signal === undefined ? {} : { signal },
      );
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }
}
