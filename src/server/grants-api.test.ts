import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import type { Principal } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { bearer, call, type Json } from "./auth/auth.test-helper.js";
import { createServer, hashApiKey } from "./index.js";

const PEOPLE: Record<string, Principal> = {
  "key-ana": { id: "ana", roles: ["ops"] },
  "key-bo": { id: "bo", roles: ["ops"] },
  "key-root": { id: "root", roles: ["kern-admin"] },
};

function alertServer() {
  const db = new InMemoryDb();
  const sent: string[] = [];
  const send = tool({
    name: "send_alert",
    parameters: z.object({ city: z.string() }),
    requiresConfirmation: true,
    execute: ({ city }) => {
      sent.push(city);
      return `Sent ${city}`;
    },
  });
  const script = ["Osaka", "Kyoto", "Nara"].flatMap((city) => [toolCall("send_alert", { city }), text("Done.")]);
  const agent = new Agent({ name: "Alerts", model: new FakeModel(script), tools: [send], db });
  const apiKeys = Object.entries(PEOPLE).map(([key, principal]) => ({ sha256: hashApiKey(key), principal }));
  const { app } = createServer({ agents: [agent], auth: { apiKeys }, adminRole: "kern-admin", sweepIntervalMs: 0 });
  const as = (key: string, method = "GET", body?: Json): RequestInit => ({
    method,
    headers: { "content-type": "application/json", ...bearer(key) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { app, as, runs: `/api/agents/${agent.id}/runs`, sent };
}

describe("grants over HTTP", () => {
  it("an approval with a grant is listed for its maker and the admin, revoked by its maker, and calls pause again", async () => {
    const { app, as, runs, sent } = alertServer();
    const start = { input: "Alert", sessionId: "s-1" };
    const paused = await call(app, runs, as("key-ana", "POST", start));
    assert.equal(paused.body["status"], "paused");
    const requirementId = (paused.body["activeRequirements"] as Json[])[0]?.["id"];
    const decided = await call(
      app,
      `${runs}/${String(paused.body["runId"])}/continue`,
      as("key-ana", "POST", {
        sessionId: "s-1",
        decisions: [{ requirementId, decision: { type: "confirm", grant: { scope: "session", argsMatch: null } } }],
      }),
    );
    assert.equal(decided.body["status"], "completed", JSON.stringify(decided.body));

    const mine = await call(app, "/api/grants", as("key-ana"));
    const grants = mine.body["grants"] as Json[];
    assert.deepEqual(
      grants.map((grant) => [grant["toolName"], grant["scope"], grant["scopeId"], grant["createdBy"]]),
      [["send_alert", "session", "s-1", "ana"]],
    );
    assert.deepEqual((await call(app, "/api/grants", as("key-bo"))).body["grants"], []);
    assert.equal(((await call(app, "/api/grants?active=1", as("key-root"))).body["grants"] as Json[]).length, 1);

    assert.equal((await call(app, runs, as("key-ana", "POST", start))).body["status"], "completed");
    const id = String(grants[0]?.["id"]);
    assert.equal((await call(app, `/api/grants/${id}/revoke`, as("key-bo", "POST"))).status, 404);
    const revoked = await call(app, `/api/grants/${id}/revoke`, as("key-ana", "POST"));
    assert.equal(revoked.status, 200);
    assert.equal(typeof (revoked.body["grant"] as Json)["revokedAt"], "number");
    assert.deepEqual((await call(app, "/api/grants?active=1", as("key-root"))).body["grants"], []);
    assert.equal((await call(app, runs, as("key-ana", "POST", start))).body["status"], "paused");
    assert.deepEqual(sent, ["Osaka", "Kyoto"]);
  });
});
