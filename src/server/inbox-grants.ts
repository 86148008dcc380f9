/**
 * The browser half of the inbox page, part 4: grants ("always allow this tool"). On a tool call
 * awaiting confirmation, "Approve and always allow…" decides `{ type: "confirm", grant: { scope,
 * expiresInSeconds? } }`; the Grants list shows the active grants the signed-in principal may
 * see (`GET /api/grants?active=1`), each with a Revoke button (`POST /api/grants/:id/revoke`).
 * Uses el, showText, button (part 1) and api (part 2). No backticks or "${" in here: this is a
 * template literal.
 */
export const INBOX_GRANTS_SCRIPT = String.raw`
const grantsNode = document.getElementById("grants");
const grantListNode = document.getElementById("grant-list");
const grantStatusNode = document.getElementById("grant-status");

// On a workflow's pause, "this run" is the workflow run: every run of its step agents inside it.
const GRANT_SCOPES = { session: "this session", run: "this run", user: "this user", agent: "everyone using this agent" };
const GRANT_EXPIRIES = { "": "with no expiry", "3600": "for 1 hour", "86400": "for 1 day", "604800": "for 7 days" };

function optionsOf(labels) {
  return Object.entries(labels).map(([value, label]) => el("option", { value, text: label }));
}

/** The "Approve and always allow…" control of a tool call awaiting confirmation. */
function grantEditor(decide) {
  const scope = el("select", { "aria-label": "Always allow for" }, optionsOf(GRANT_SCOPES));
  const expiry = el("select", { "aria-label": "Grant expires" }, optionsOf(GRANT_EXPIRIES));
  const approve = button("Approve and always allow", "secondary", () => {
    const grant = { scope: scope.value };
    if (expiry.value !== "") grant.expiresInSeconds = Number(expiry.value);
    decide({ type: "confirm", grant });
  });
  const help = el("p", { class: "help", text: "Later calls of this tool in that scope run without asking. Revoke it under Grants." });
  const row = el("div", { class: "actions" }, [el("span", { text: "Always allow for" }), scope, expiry, approve]);
  return el("details", { class: "grant-editor" }, [el("summary", { text: "Approve and always allow\u2026" }), row, help]);
}

/** How a decision with a grant reads on its card once decided. */
function describeGrantDecision(grant) {
  if (!grant) return "";
  const expires = grant.expiresInSeconds ? " " + (GRANT_EXPIRIES[String(grant.expiresInSeconds)] || "for " + grant.expiresInSeconds + " s") : "";
  return ", always allowed for " + (GRANT_SCOPES[grant.scope] || grant.scope) + expires;
}

function describeGrant(grant) {
  const scope = GRANT_SCOPES[grant.scope] || grant.scope;
  const where = grant.scope === "agent" ? "" : " (" + grant.scope + " " + grant.scopeId + ")";
  const match = grant.argsMatch ? " when the arguments match " + JSON.stringify(grant.argsMatch) : "";
  const expires = grant.expiresAt === null ? "" : ", until " + new Date(grant.expiresAt).toLocaleString();
  return "agent " + grant.ownerId + ", for " + scope + where + match + ": made by " + grant.createdBy + expires;
}

function grantItem(grant) {
  const error = el("span", { class: "card-error", role: "alert" });
  const revoke = el("button", { type: "button", class: "button danger", text: "Revoke" });
  revoke.addEventListener("click", async () => {
    revoke.disabled = true;
    showText(error, "");
    try {
      await api("api/grants/" + encodeURIComponent(grant.id) + "/revoke", { method: "POST" });
      showText(noticeNode, "Revoked: " + grant.toolName + " is no longer always allowed for " + (GRANT_SCOPES[grant.scope] || grant.scope) + ".");
      await loadGrants();
    } catch (failure) {
      revoke.disabled = false;
      showText(error, failure.message);
    }
  });
  const what = el("span", { class: "grant-what" }, [el("code", { class: "tool-name", text: grant.toolName }), " \u00B7 ", describeGrant(grant)]);
  return el("li", { class: "grant", "data-grant-id": grant.id }, [what, revoke, error]);
}

/** Lists the active grants the signed-in principal may see (the admin role: all). */
async function loadGrants() {
  try {
    const page = await api("api/grants?active=1&limit=100");
    const items = page.grants.map(grantItem);
    grantListNode.replaceChildren(...(items.length > 0 ? items : [el("li", { class: "empty", text: "No tool is always allowed." })]));
    showText(grantStatusNode, page.nextAfter ? "Showing the oldest 100 grants." : "");
    grantsNode.hidden = false;
  } catch (error) {
    if (error.status === 401) return hideGrants();
    grantsNode.hidden = false;
    showText(grantStatusNode, "Could not load the grants: " + error.message);
  }
}

function hideGrants() {
  grantsNode.hidden = true;
  grantListNode.replaceChildren();
  showText(grantStatusNode, "");
}
`;
