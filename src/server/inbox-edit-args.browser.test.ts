import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { type Browser, chromiumSkip, openBrowser } from "./inbox-browser.test-helper.js";
import { startServer } from "./server.test-helper.js";

/** The model's proposal hides a right-to-left override in the text: the editor must show it as an escape. */
const PROPOSED = { channel: "ops", text: "Deploy at 10\u202E00:01" };

/** An agent whose gated post_notice records each post; `editableArgs` as given. */
function notifier(name: string, db: InMemoryDb, posted: Array<Record<string, unknown>>, editableArgs: boolean): Agent {
  const postNotice = tool({
    name: "post_notice",
    parameters: z.object({ channel: z.enum(["ops", "dev"]), text: z.string() }),
    requiresConfirmation: true,
    editableArgs,
    execute: (args) => {
      posted.push(args);
      return `Posted to ${args.channel}`;
    },
  });
  const model = new FakeModel([toolCall("post_notice", PROPOSED), text("Posted.")]);
  return new Agent({ name, model, tools: [postNotice], db });
}

describe("the approval inbox: approve a tool call with edited arguments", { skip: chromiumSkip }, () => {
  it("edits the arguments in a JSON form, shows the server's refusal, then approves; a locked tool shows no form", async () => {
    const db = new InMemoryDb();
    const posted: Array<Record<string, unknown>> = [];
    const lockedPosts: Array<Record<string, unknown>> = [];
    const server = await startServer({
      agents: [notifier("Editable", db, posted, true), notifier("Locked", db, lockedPosts, false)],
      sweepIntervalMs: 0,
    });
    let browser: Browser | undefined;
    try {
      const run = (await server.post("/api/agents/Editable/runs", { input: "Announce the deploy" })).body;
      await server.post("/api/agents/Locked/runs", { input: "Announce the deploy" });
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(`${server.url}/`);

      const card = page.locator('article.card[data-kind="agent"]', { hasText: "Editable" });
      const locked = page.locator('article.card[data-kind="agent"]', { hasText: "Locked" });
      await card.locator("code.tool-name", { hasText: "post_notice" }).waitFor();
      await locked.locator("code.tool-name", { hasText: "post_notice" }).waitFor();
      assert.equal(
        await locked.getByText("Edit the arguments").count(),
        0,
        "no editor for a tool with editableArgs: false",
      );
      assert.equal(await locked.getByRole("button", { name: "Approve with these arguments" }).count(), 0);

      await card.getByText("Edit the arguments").click();
      const editor = card.getByRole("textbox", { name: "Edited arguments (JSON)" });
      const prefilled = await editor.inputValue();
      assert.deepEqual(JSON.parse(prefilled), PROPOSED, "prefilled with the proposed arguments");
      assert.ok(prefilled.includes("\\u202E") && !prefilled.includes("\u202E"), "the override is shown as an escape");

      const approve = card.getByRole("button", { name: "Approve with these arguments" });
      await editor.fill("{ not json");
      await approve.click();
      await card.locator(".card-error", { hasText: "not valid JSON" }).waitFor();

      await editor.fill(JSON.stringify({ channel: "oncall", text: "Deploy at 10:00" }));
      await approve.click();
      await card.locator(".card-error", { hasText: "are invalid: channel" }).waitFor();
      assert.deepEqual(posted, [], "an edit the schema refuses runs nothing");

      await editor.fill(JSON.stringify({ channel: "dev", text: "Deploy at 10:00" }));
      await approve.click();
      await page.locator("#notice", { hasText: "Editable completed" }).waitFor();
      assert.deepEqual(posted, [{ channel: "dev", text: "Deploy at 10:00" }], "the tool ran once, with the edit");

      const stored = await server.get(
        `/api/agents/Editable/runs/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`,
      );
      const [execution] = stored.body["tools"] as Array<Record<string, unknown>>;
      assert.deepEqual(execution?.["proposedArgs"], PROPOSED);
      assert.deepEqual(lockedPosts, []);
    } finally {
      await browser?.close();
      await server.close();
    }
  });
});
