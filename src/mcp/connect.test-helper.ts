// Connecting to the test MCP server the way a user's factory does, over either transport.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const stdioServer = new URL("./weather-stdio.test-helper.ts", import.meta.url).pathname;
const root = new URL("../..", import.meta.url).pathname;

/** Where the server is: a child process spawned per connection (stdio), or a loopback URL. */
export type ServerAddress = { transport: "stdio"; dir: string } | { transport: "http"; url: URL };

/**
 * A factory as a user writes one for mcpTools({ connect }), which also remembers every client it
 * made so that a test can close them all (for stdio, that ends the server processes).
 */
export class Connector {
  readonly #address: ServerAddress;
  readonly clients: Client[] = [];

  constructor(address: ServerAddress) {
    this.#address = address;
  }

  readonly connect = async (): Promise<Client> => {
    const client = new Client({ name: "kern-test", version: "1.0.0" });
    const address = this.#address;
    const transport =
      address.transport === "stdio"
        ? new StdioClientTransport({
            command: process.execPath,
            args: ["--import", "tsx", stdioServer, address.dir],
            cwd: root,
            env: { ...(process.env as Record<string, string>), NODE_NO_WARNINGS: "1" },
          })
        : new StreamableHTTPClientTransport(address.url);
    await client.connect(transport);
    this.clients.push(client);
    return client;
  };

  /** Closes every client made so far; the next use connects again through the factory. */
  async closeAll(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }
}
