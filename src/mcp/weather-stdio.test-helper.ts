// The test MCP server over stdio, as a child process: `node --import tsx weather-stdio.test-helper.ts <dir>`.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { weatherServer } from "./weather-server.test-helper.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: weather-stdio.test-helper.ts <dir>");
await weatherServer(dir).connect(new StdioServerTransport());
