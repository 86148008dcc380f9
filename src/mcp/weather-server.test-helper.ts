// A real MCP server for kern's MCP tests, built with the official SDK's McpServer: a read-only
// forecast tool and a gated alert tool. Every execution appends a line to `<dir>/executions.log`,
// so a test counts executions on the server's side, whichever process the server runs in. The
// alert tool's description is read from `<dir>/alert-description.txt` whenever a server is built:
// writing that file changes the tool's definition for servers built afterwards.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const ALERT_DESCRIPTION = "Send a weather alert for a city.";

/** Sets up `dir` for a server: the alert tool's first description and no executions. */
export function prepareServerDir(dir: string): void {
  writeFileSync(join(dir, "alert-description.txt"), ALERT_DESCRIPTION);
}

/** Changes the alert tool's definition for every server built from now on. */
export function changeAlertDefinition(dir: string, description: string): void {
  writeFileSync(join(dir, "alert-description.txt"), description);
}

/** The executions the servers of `dir` logged, one line each: "<tool> <arguments as JSON>". */
export function executions(dir: string): string[] {
  const file = join(dir, "executions.log");
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

/** An McpServer with the test tools, as `dir` defines them now. */
export function weatherServer(dir: string): McpServer {
  const log = (line: string): void => appendFileSync(join(dir, "executions.log"), `${line}\n`);
  const server = new McpServer({ name: "weather", version: "1.0.0" });
  server.registerTool(
    "get_forecast",
    {
      description: "Get the forecast for a city.",
      inputSchema: { city: z.string() },
      annotations: { readOnlyHint: true },
    },
    async ({ city }) => {
      log(`get_forecast ${JSON.stringify({ city })}`);
      return { content: [{ type: "text", text: `Rain in ${city}` }] };
    },
  );
  server.registerTool(
    "send_alert",
    {
      description: readFileSync(join(dir, "alert-description.txt"), "utf8"),
      inputSchema: { city: z.string(), message: z.string() },
      annotations: { destructiveHint: true },
    },
    async ({ city, message }) => {
      log(`send_alert ${JSON.stringify({ city, message })}`);
      if (city === "Atlantis") return { content: [{ type: "text", text: "No such city: Atlantis" }], isError: true };
      return { content: [{ type: "text", text: `Alert sent for ${city}: ${message}` }] };
    },
  );
  return server;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

/**
 * The server over Streamable HTTP on loopback (port 0), stateless: each request gets a server
 * built from `dir` as it is then, so a changed definition shows at the next request.
 */
export async function startHttpServer(dir: string): Promise<{ url: URL; close: () => Promise<void> }> {
  const http: Server = createServer((request, response) => {
    if (request.method !== "POST") {
      response.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const server = weatherServer(dir);
    const transport = new StreamableHTTPServerTransport({});
    response.on("close", () => {
      void transport.close();
      void server.close();
    });
    void (async () => {
      await server.connect(transport);
      await transport.handleRequest(request, response, await readBody(request));
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
