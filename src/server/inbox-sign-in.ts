/**
 * The browser half of the inbox page, part 2: sign-in and the API client. The key or token a
 * person enters is kept in this tab's sessionStorage only (never localStorage, never a cookie) and
 * sent as `Authorization: Bearer ...` on every API request; a 401 answer brings the sign-in form
 * back with the server's reason. Uses showText() of INBOX_FORMS_SCRIPT, hideGrants() of
 * INBOX_GRANTS_SCRIPT and calls load() of INBOX_SCRIPT. No backticks or "${" in here: this is a template literal.
 */
export const INBOX_SIGN_IN_SCRIPT = String.raw`
const TOKEN_KEY = "kern.inbox.token";
const signInNode = document.getElementById("signin");
const signInForm = document.getElementById("signin-form");
const signInMessage = document.getElementById("signin-message");
const tokenInput = document.getElementById("token");
const whoNode = document.getElementById("who");
const signOutButton = document.getElementById("signout");

/** An API answer that is not 2xx: the server's message, with its HTTP status and kern code. */
class ApiError extends Error {
  constructor(status, error) {
    super(error.message || "The server answered HTTP " + status + ".");
    this.status = status;
    this.code = error.code || null;
  }
}

function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The name a JWT's payload gives (read for display only: the server verifies the token). */
function tokenName(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const binary = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (character) => character.charCodeAt(0))));
    return claims.name || claims.preferred_username || claims.sub || null;
  } catch {
    return null;
  }
}

/** The header shows who is signed in; the API tells no name for an API key, so that shows as such. */
function showSession() {
  const token = storedToken();
  signOutButton.hidden = token === null;
  if (token === null) return showText(whoNode, "");
  const name = tokenName(token);
  showText(whoNode, name ? "Signed in as " + name : "Signed in with an API key");
}

function askToSignIn(message) {
  showText(signInMessage, message);
  signInNode.hidden = false;
  listNode.replaceChildren();
  hideGrants();
  showText(countNode, "");
  showSession();
  tokenInput.focus();
}

/** Fetches an API path (relative, so the page works under any mount point) and returns its JSON. */
async function api(path, options) {
  const token = storedToken();
  const headers = Object.assign({}, options && options.headers);
  if (token !== null) headers.authorization = "Bearer " + token;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const body = await response.json().catch(() => null);
  if (response.ok) return body;
  const error = new ApiError(response.status, (body && body.error) || {});
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    askToSignIn(token === null ? "This server needs you to sign in with an API key or a bearer token." : "Your sign-in was not accepted: " + error.message);
  }
  throw error;
}

signInForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const token = tokenInput.value.trim().replace(/^Bearer\s+/i, "");
  if (token === "") return showText(signInMessage, "Enter an API key or a bearer token.");
  sessionStorage.setItem(TOKEN_KEY, token);
  tokenInput.value = "";
  signInNode.hidden = true;
  showSession();
  showText(noticeNode, "");
  load();
});

signOutButton.addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showText(noticeNode, "");
  showText(statusNode, "");
  askToSignIn("Signed out. Sign in to see what waits for you.");
});
`;
