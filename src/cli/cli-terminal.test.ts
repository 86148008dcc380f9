// Drives the real `npm run demo` in a pseudo-terminal (tmux): waits for each prompt on the
// screen, answers with keys as a person would, and checks what the screen shows.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { requirePrerequisite } from "../../scripts/test-prerequisites.mjs";
import { count, root } from "./cli.test-helper.js";

const socket = `kern-cli-test-${process.pid}`;
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const directory = mkdtempSync(join(tmpdir(), "kern-cli-tty-"));

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8", timeout: 5_000 });
}

after(() => {
  if (hasTmux) spawnSync("tmux", ["-L", socket, "kill-server"]);
  rmSync(directory, { recursive: true, force: true });
});

/** A terminal 120×40 running `npm run demo -- <args>` offline; the pane stays after it exits. */
function startDemo(session: string, args: string): void {
  const command = `env -u OPENAI_API_KEY -u KERN_MODEL NODE_NO_WARNINGS=1 npm run demo -- ${args}; echo KERN-EXIT=$?; sleep 60`;
  tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", "-c", root, command);
}

/** The whole screen with its scrollback, wrapped lines joined. */
function screen(session: string): string {
  return tmux("capture-pane", "-p", "-J", "-S", "-400", "-t", session);
}

async function waitFor(session: string, pattern: RegExp, timeoutMs = 25_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shown = screen(session);
    if (pattern.test(shown)) return shown;
    if (Date.now() > deadline) assert.fail(`Timed out waiting for ${pattern} on the screen:\n${shown}`);
    await sleep(150);
  }
}

function keys(session: string, ...names: string[]): void {
  tmux("send-keys", "-t", session, ...names);
}

function type(session: string, text: string): void {
  tmux("send-keys", "-t", session, "-l", text);
}

describe("npm run demo in a terminal", { concurrency: true, skip: requirePrerequisite("tmux") }, () => {
  it("asks at both pauses of the seed, showing the step, the tool and its arguments, and sends the alert once", async () => {
    const session = "seed";
    startDemo(session, `--db ${join(directory, "seed.db")}`);
    try {
      let shown = await waitFor(session, /Run send_alert\?/);
      assert.match(shown, /No OPENAI_API_KEY: running offline on a scripted model\./);
      assert.match(shown, /Pause 1: step send_alert waits for your approval/);
      assert.match(shown, /step +send_alert \(Step\)/);
      assert.match(shown, /message +Proceed with sending the alert\?/);
      keys(session, "Enter");

      shown = await waitFor(session, /send_alert: what should happen\?/);
      assert.match(shown, /Pause 2: AlertAgent wants to call a tool/);
      assert.match(shown, /tool +send_alert/);
      assert.match(shown, /arguments city +"Tokyo"/);
      assert.match(shown, /message +"Heavy rain expected tonight\."/);
      keys(session, "Enter");

      shown = await waitFor(session, /KERN-EXIT=\d+/);
      assert.match(shown, /KERN-EXIT=0/);
      assert.match(shown, /You: approved send_alert/);
      assert.equal(count(shown, "send_alert ran: Alert sent for Tokyo: Heavy rain expected tonight."), 1);
      assert.match(shown, /completed: Logged: Done: Alert sent for Tokyo/);
      assert.match(shown, /completed · 2 pauses answered · tools run: send_alert ×1/);
    } finally {
      spawnSync("tmux", ["-L", socket, "kill-session", "-t", session]);
    }
  });

  it("asks a form built from the step's schema, then takes a rejection of the tool with a note", async () => {
    const session = "travel";
    startDemo(session, `step-user-input --db ${join(directory, "travel.db")}`);
    try {
      let shown = await waitFor(session, /Answer book_travel's questions\?/);
      assert.match(shown, /input +destination \(string, required\): City to fly to/);
      keys(session, "Enter");
      await waitFor(session, /destination — City to fly to/);
      type(session, "Reykjavik");
      keys(session, "Enter");

      shown = await waitFor(session, /book_flight: what should happen\?/);
      assert.match(shown, /arguments origin +"Berlin"/);
      assert.match(shown, /destination +"Reykjavik"/);
      keys(session, "Down", "Enter");
      await waitFor(session, /A note for the agent \(optional\)/);
      type(session, "not this week");
      keys(session, "Enter");

      shown = await waitFor(session, /KERN-EXIT=\d+/);
      assert.match(shown, /KERN-EXIT=0/);
      assert.match(shown, /You: rejected book_flight \(note: not this week\)/);
      assert.doesNotMatch(shown, /book_flight ran/);
      assert.match(shown, /completed · 2 pauses answered · no tool ran/);
    } finally {
      spawnSync("tmux", ["-L", socket, "kill-session", "-t", session]);
    }
  });
});
