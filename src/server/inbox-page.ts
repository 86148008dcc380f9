import { createHash } from "node:crypto";
import { INBOX_FORMS_SCRIPT } from "./inbox-forms.js";
import { INBOX_GRANTS_SCRIPT } from "./inbox-grants.js";
import { INBOX_HISTORY_SCRIPT } from "./inbox-history.js";
import { INBOX_SCRIPT } from "./inbox-script.js";
import { INBOX_SIGN_IN_SCRIPT } from "./inbox-sign-in.js";

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #f4f6f9; --card: #fff;
  --accent: #1f6f43; --accent-ink: #fff; --danger: #b42318; --focus: #2f6feb; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.top { display: flex; align-items: center; gap: 16px; padding: 14px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
.top h1 { font-size: 19px; margin: 0; }
.brand { color: var(--muted); font-weight: 500; }
.count { color: var(--muted); flex: 1; }
.notice { margin: 16px 24px 0; padding: 10px 14px; border-radius: 8px; background: #e6f4ea; color: #174d2f; }
.notice:empty, .card-error:empty, .progress:empty { display: none; }
.status { margin: 8px 24px; color: var(--muted); font-size: 13px; }
main { display: grid; gap: 16px; padding: 0 24px 32px; max-width: 980px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; box-shadow: 0 1px 2px rgba(20, 30, 50, .05); }
.card.busy { opacity: .6; }
.card-head { display: flex; align-items: baseline; gap: 12px; justify-content: space-between; }
.card h2 { font-size: 17px; margin: 0; }
.badge { font-size: 12px; font-weight: 600; padding: 2px 10px; border-radius: 999px; background: #eef1f6; color: #394256; white-space: nowrap; }
.badge-executor, .badge-agent { background: #fff4e0; color: #8a4b00; }
.badge-confirmation { background: #e7efff; color: #1e4fb8; }
.badge-error { background: #fde8e7; color: var(--danger); }
.meta { color: var(--muted); font-size: 12.5px; margin: 2px 0 10px; word-break: break-all; }
.question { font-size: 16px; margin: 8px 0 12px; }
.label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; margin: 0 0 4px; }
pre { background: #f6f8fb; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin: 6px 0 10px;
  font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; }
.tool-call { border-left: 3px solid #f0a030; padding: 4px 0 4px 12px; margin: 10px 0; }
.tool-head { display: flex; gap: 8px; align-items: baseline; }
.tool-name { font-size: 15px; font-weight: 600; }
.path { color: var(--muted); font-size: 13px; margin: 2px 0 4px; }
.warning { color: #8a4b00; }
.decided { color: var(--accent); font-weight: 600; margin: 4px 0 0; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
.button { font: inherit; font-weight: 600; border-radius: 7px; padding: 7px 16px; cursor: pointer; border: 1px solid var(--line); background: #fff; color: var(--ink); }
.button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
.button.danger { color: var(--danger); border-color: #f1b8b3; }
.button:disabled { cursor: default; }
.note { flex: 1; min-width: 200px; }
input[type=text], input[type=number], select, textarea { font: inherit; padding: 6px 9px; border: 1px solid var(--line); border-radius: 7px; width: 100%; }
.note { width: auto; }
button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
.form { display: grid; gap: 10px; margin: 8px 0; }
.field { display: grid; gap: 3px; }
.field input[type=checkbox] { justify-self: start; width: 18px; height: 18px; }
.field-name { font-weight: 600; }
.required { color: var(--danger); }
.help { color: var(--muted); font-size: 13px; }
.choices { display: grid; gap: 6px; margin: 6px 0; }
.choice { display: flex; gap: 8px; align-items: center; }
.card-error { color: var(--danger); margin: 10px 0 0; white-space: pre-wrap; }
.progress { color: var(--muted); }
.empty { color: var(--muted); padding: 24px 0; }
details { margin: 4px 0 8px; }
.args-editor { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.who { color: var(--muted); font-size: 13px; }
.signin { margin: 16px 24px 0; max-width: 520px; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; }
.signin h2 { font-size: 17px; margin: 0 0 8px; }
.signin form { display: grid; gap: 8px; }
.signin input { font: inherit; padding: 6px 9px; border: 1px solid var(--line); border-radius: 7px; width: 100%; }
.signin-message { color: var(--danger); margin: 0; }
.signin-message:empty { display: none; }
.history ul { margin: 0 0 10px; padding-left: 18px; color: var(--muted); font-size: 13.5px; }
.card.stale { border-color: #f1b8b3; }
.invisible-mark { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--danger); background: #fde8e7;
  border-radius: 4px; padding: 0 2px; unicode-bidi: isolate; }
.grants { margin: 0 24px 32px; max-width: 980px; }
.grants h2 { font-size: 17px; margin: 0 0 8px; }
.grants ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
.grant { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; background: var(--card); border: 1px solid var(--line);
  border-radius: 8px; padding: 8px 12px; }
.grant-what { flex: 1; min-width: 240px; word-break: break-word; }
.grant-editor .actions select { width: auto; }
`;

const SCRIPT = INBOX_FORMS_SCRIPT + INBOX_SIGN_IN_SCRIPT + INBOX_HISTORY_SCRIPT + INBOX_GRANTS_SCRIPT + INBOX_SCRIPT;

function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * The page allows only its own inline style and script (by hash) and requests to this server:
 * nothing external loads, and injected markup could not run.
 */
export const INBOX_PAGE_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The approval inbox: one self-contained page (inline CSS and JavaScript, no external assets). */
export const INBOX_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Approval inbox · kern</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top">
<h1><span class="brand">kern</span> · Approval inbox</h1>
<span id="count" class="count"></span>
<span id="who" class="who"></span>
<button id="signout" class="button" type="button" hidden>Sign out</button>
<button id="refresh" class="button" type="button">Refresh</button>
</header>
<section id="signin" class="signin" hidden>
<h2>Sign in</h2>
<form id="signin-form">
<p id="signin-message" class="signin-message" role="alert"></p>
<label for="token">API key or bearer token</label>
<input id="token" name="token" type="password" autocomplete="off" spellcheck="false">
<button class="button primary" type="submit">Sign in</button>
<p class="help">Kept in this browser tab only, and sent to this server as Authorization: Bearer.</p>
</form>
</section>
<p id="notice" class="notice" role="status" aria-live="polite"></p>
<p id="status" class="status"></p>
<main id="list"></main>
<section id="grants" class="grants" aria-labelledby="grants-title" hidden>
<h2 id="grants-title">Grants: tools always allowed</h2>
<p id="grant-status" class="status"></p>
<ul id="grant-list"></ul>
</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
