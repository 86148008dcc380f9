import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Router, Step, Workflow } from "../workflow/index.js";
import { type Browser, chromiumSkip, openBrowser } from "./inbox-browser.test-helper.js";
import { type Json, pingAgent, scenarioOne, startServer } from "./server.test-helper.js";

describe("the approval inbox page in Chromium", { skip: chromiumSkip }, () => {
  it("approves scenario 1's step and tool call by clicking; the tool runs once and the run completes", async (t) => {
    const db = new InMemoryDb();
    const { workflow, sent } = scenarioOne(db);
    // An agent whose tool arguments hold markup: the page must show it as text, never run it.
    const markup = "<img src=x onerror=document.title='pwned'>";
    const { agent, pinged } = pingAgent(db, markup);
    const server = await startServer({ workflows: [workflow], agents: [agent], sweepIntervalMs: 0 });
    let browser: Browser | undefined;
    try {
      const run = (
        await server.post("/api/workflows/DualConfirmation/runs", {
          input: "Send a weather alert for Tokyo about heavy rain",
        })
      ).body;
      const agentRun = (await server.post("/api/agents/Pinger/runs", { input: "Ping it" })).body;
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(`${server.url}/`);

      const stepCard = page.locator('article.card[data-kind="confirmation"]');
      await stepCard.getByText("Proceed with sending the alert?").waitFor();
      const agentCard = page.locator('article.card[data-kind="agent"]');
      await agentCard.getByText(markup, { exact: false }).first().waitFor();
      assert.notEqual(await page.title(), "pwned");
      await stepCard.getByRole("button", { name: "Approve", exact: true }).click();

      const toolCard = page.locator('article.card[data-kind="executor"]');
      await toolCard.locator("code.tool-name", { hasText: "send_alert" }).waitFor();
      // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator (the text a person sees), not a DOM node
      assert.match(await toolCard.innerText(), /Heavy rain expected tonight\./);
      assert.deepEqual(sent, [], "nothing runs before the tool call is approved");
      const screenshot = join(tmpdir(), `kern-inbox-${process.pid}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      t.diagnostic(`inbox screenshot: ${screenshot}`);

      await toolCard.getByRole("button", { name: "Approve", exact: true }).click();
      await page.locator("#notice", { hasText: "DualConfirmation completed" }).waitFor();
      await toolCard.waitFor({ state: "detached" });

      const stored = await server.get(
        `/api/workflows/DualConfirmation/runs/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`,
      );
      assert.equal(stored.body["status"], "completed");
      assert.equal(stored.body["content"], "Logged: Alert sent for Tokyo.");
      assert.deepEqual(sent, ["Tokyo"], "the approved tool ran exactly once");

      await agentCard.getByPlaceholder("Note for a rejection (optional)").fill("Not that host");
      await agentCard.getByRole("button", { name: "Reject", exact: true }).click();
      await page.getByText("Nothing waits for a decision.").waitFor();
      const agentStored = await server.get(
        `/api/agents/Pinger/runs/${String(agentRun["runId"])}?sessionId=${String(agentRun["sessionId"])}`,
      );
      assert.equal(agentStored.body["status"], "completed");
      assert.deepEqual(pinged, [], "a rejected tool call never runs");
      assert.notEqual(await page.title(), "pwned");
    } finally {
      await browser?.close();
      await server.close();
    }
  });

  it("decides a form, a route, an output review and a failed step by clicking, each sent as its decision", async () => {
    const db = new InMemoryDb();
    let failures = 1;
    const ran: string[] = [];
    const workflow = new Workflow({
      name: "Forms",
      db,
      steps: [
        new Step({
          name: "form",
          requiresUserInput: true,
          userInputMessage: "Which team?",
          userInputSchema: [{ name: "team", type: "string" }],
          executor: (input) => `team ${String((input.additionalData["userInput"] as Record<string, unknown>)["team"])}`,
        }),
        new Router({
          name: "route",
          requiresUserInput: true,
          userInputMessage: "Where to?",
          choices: [
            new Step({
              name: "email",
              executor: () => {
                ran.push("email");
                return "emailed";
              },
            }),
            new Step({
              name: "sms",
              executor: () => {
                ran.push("sms");
                return "texted";
              },
            }),
          ],
        }),
        new Step({
          name: "draft",
          requiresOutputReview: true,
          outputReviewMessage: "Good draft?",
          executor: () => "first draft",
        }),
        new Step({
          name: "flaky",
          onError: "pause",
          executor: () => {
            if (failures-- > 0) throw new Error("upstream down");
            return "recovered";
          },
        }),
      ],
    });
    const server = await startServer({ workflows: [workflow], sweepIntervalMs: 0 });
    let browser: Browser | undefined;
    try {
      const run = (await server.post("/api/workflows/Forms/runs", { input: "go" })).body;
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(`${server.url}/`);
      const form = page.locator('article.card[data-kind="userInput"]');
      await form.getByLabel("team").fill("blue");
      await form.getByRole("button", { name: "Submit input" }).click();
      const route = page.locator('article.card[data-kind="route"]');
      await route.getByLabel("sms").check();
      await route.getByRole("button", { name: "Run selected" }).click();
      const review = page.locator('article.card[data-kind="outputReview"]');
      await review.getByText("first draft").first().waitFor();
      await review.getByText("Edit the output").click();
      await review.getByLabel("Edited output").fill("better draft");
      await review.getByRole("button", { name: "Approve with edits" }).click();
      const failed = page.locator('article.card[data-kind="error"]');
      await failed.getByText("upstream down").waitFor();
      await failed.getByRole("button", { name: "Retry" }).click();
      await page.locator("#notice", { hasText: "Forms completed" }).waitFor();
      const stored = (
        await server.get(`/api/workflows/Forms/runs/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`)
      ).body;
      assert.equal(stored["status"], "completed");
      assert.deepEqual(
        (stored["stepRequirements"] as Array<Record<string, unknown>>).map((requirement) => requirement["decision"]),
        [
          { type: "input", values: { team: "blue" } },
          { type: "select", choices: ["sms"] },
          { type: "edit", output: "better draft" },
          { type: "retry" },
        ],
      );
      assert.deepEqual(ran, ["sms"]);
      assert.deepEqual(
        (stored["stepResults"] as Array<Record<string, unknown>>).map((output) => output["content"]),
        ["team blue", "texted", "better draft", "recovered"],
      );
    } finally {
      await browser?.close();
      await server.close();
    }
  });

  it("sends form fields named constructor and __proto__ as own properties, and the step receives both as its fields", async () => {
    const db = new InMemoryDb();
    const received: Array<Record<string, unknown>> = [];
    const form = (name: string, field: string): Workflow =>
      new Workflow({
        name,
        db,
        steps: [
          new Step({
            name: "ask",
            requiresUserInput: true,
            userInputMessage: `Fill in ${field}`,
            userInputSchema: [{ name: field, type: "string" }],
            executor: (input) => {
              received.push(input.additionalData["userInput"] as Record<string, unknown>);
              return "ok";
            },
          }),
        ],
      });
    const server = await startServer({
      workflows: [form("Constructor", "constructor"), form("Proto", "__proto__")],
      sweepIntervalMs: 0,
    });
    let browser: Browser | undefined;
    try {
      await server.post("/api/workflows/Constructor/runs", { input: "go" });
      await server.post("/api/workflows/Proto/runs", { input: "go" });
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(`${server.url}/`);
      const constructorCard = page.locator("article.card", { hasText: "Fill in constructor" });
      await constructorCard.getByLabel("constructor").fill("built");
      // This server has no auth: the list loads without signing in, and no sign-in form shows.
      assert.equal(await page.locator("#signin").isVisible(), false);
      await constructorCard.getByRole("button", { name: "Submit input" }).click();
      await page.locator("#notice", { hasText: "Constructor completed" }).waitFor();
      // The notice shows before the list reloads: wait for the reload (it drops the finished run's
      // card), or it would replace the next card while it is being filled in.
      await constructorCard.waitFor({ state: "detached" });
      assert.equal(received.length, 1);
      assert.ok(Object.hasOwn(received[0] ?? {}, "constructor"), "constructor is an own property of userInput");
      assert.equal(received[0]?.["constructor"], "built");

      const protoCard = page.locator("article.card", { hasText: "Fill in __proto__" });
      await protoCard.getByLabel("__proto__").fill("polluted");
      const sent = page.waitForRequest((request) => request.url().includes("/api/workflows/Proto/runs/"));
      await protoCard.getByRole("button", { name: "Submit input" }).click();
      const body = JSON.parse((await sent).postData() ?? "null") as {
        decisions: Array<{ decision: { values: Record<string, unknown> } }>;
      };
      const values = body.decisions[0]?.decision.values ?? {};
      // JSON.parse keeps "__proto__" as an own key, so this reads exactly what the page sent.
      assert.deepEqual(Object.entries(values), [["__proto__", "polluted"]], JSON.stringify(body));
      // ...and the step got it as its own field, with no object's prototype changed.
      await protoCard.waitFor({ state: "detached" });
      assert.equal(received.length, 2);
      assert.ok(Object.hasOwn(received[1] ?? {}, "__proto__"), "__proto__ is an own property of userInput");
      assert.deepEqual(Object.entries(received[1] ?? {}), [["__proto__", "polluted"]]);
      assert.equal(Object.getPrototypeOf(received[1]), Object.prototype);
      assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    } finally {
      await browser?.close();
      await server.close();
    }
  });

  it("shows who decided an agent run's earlier tool call, with invisible characters marked", async () => {
    const db = new InMemoryDb();
    const ping = tool({
      name: "ping",
      parameters: z.object({ host: z.string() }),
      requiresConfirmation: true,
      execute: ({ host }) => `pong from ${host}`,
    });
    // The second host hides a zero-width space and a left-to-right mark.
    const model = new FakeModel([
      toolCall("ping", { host: "db-1" }),
      toolCall("ping", { host: "db\u200B-2\u200E" }),
      text("Both answered."),
    ]);
    const agent = new Agent({ name: "Pinger", model, tools: [ping], db });
    const server = await startServer({ agents: [agent], sweepIntervalMs: 0 });
    let browser: Browser | undefined;
    try {
      const run = (await server.post("/api/agents/Pinger/runs", { input: "Ping both" })).body;
      const [pending] = run["activeRequirements"] as Json[];
      const decisions = [{ requirementId: pending?.["id"], decision: { type: "confirm" } }];
      const second = await server.post(`/api/agents/Pinger/runs/${String(run["runId"])}/continue`, {
        sessionId: run["sessionId"],
        decisions,
      });
      const first = (second.body["requirements"] as Json[])[0];
      const decidedAt = String(first?.["decidedAt"]);
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(`${server.url}/`);
      const card = page.locator('article.card[data-kind="agent"]');
      await card
        .locator(".history li", {
          hasText: `Tool call ping confirmed by code at ${decidedAt.slice(0, 10)} ${decidedAt.slice(11, 16)} UTC`,
        })
        .waitFor();
      const shown = (await card.locator("pre.args").textContent()) ?? "";
      assert.equal(shown, '{\n  "host": "db\u27E6U+200B\u27E7-2\u27E6U+200E\u27E7"\n}');
    } finally {
      await browser?.close();
      await server.close();
    }
  });
});
