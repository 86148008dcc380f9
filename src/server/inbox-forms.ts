/**
 * The browser half of the inbox page, part 1: DOM helpers, input forms and tool-call views.
 * Plain JavaScript sent inline (no build step). Every piece of run data is rendered as text nodes
 * (or an attribute), never as HTML, and invisible formatting characters in it are shown as marks.
 * No backticks or "${" in here: this is a template literal.
 */
export const INBOX_FORMS_SCRIPT = String.raw`
"use strict";

// Bidi controls and zero-width characters would reorder or hide text ("\u202E0001 USD" reads as
// "1000 USD"), so each is shown as a visible mark such as "\u27E6U+202E\u27E7" instead.
const INVISIBLE = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

function markOf(character) {
  return "\u27E6U+" + character.codePointAt(0).toString(16).toUpperCase().padStart(4, "0") + "\u27E7";
}

/** Text as DOM nodes: plain text nodes, with a styled mark in place of each invisible character. */
function textNodes(value) {
  const text = String(value);
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(INVISIBLE)) {
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    const mark = document.createElement("span");
    mark.className = "invisible-mark";
    mark.title = "An invisible formatting character, shown so it cannot reorder or hide the text";
    mark.textContent = markOf(match[0]);
    nodes.push(mark);
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/** Sets a node's text (server data included) the only way this page does: through textNodes(). */
function showText(node, value) {
  node.replaceChildren(...(value === null || value === undefined ? [] : textNodes(value)));
}

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") showText(node, value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children || []) {
    if (child === null || child === undefined) continue;
    if (typeof child === "string") node.append(...textNodes(child));
    else node.appendChild(child);
  }
  return node;
}

function pretty(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

const STEP_FIELD_TYPES = { string: "string", number: "number", integer: "integer", boolean: "boolean", list: "array", object: "object" };

/** A step's userInputSchema (UserInputField[]) as form fields. */
function fieldsFromStep(schema) {
  return (schema || []).map((field) => ({
    name: field.name,
    type: STEP_FIELD_TYPES[field.type] || "string",
    description: field.description || "",
    required: field.required !== false,
    choices: field.allowedValues || null,
  }));
}

/** A tool's user-input JSON Schema as form fields. */
function fieldsFromJsonSchema(schema) {
  const properties = (schema && schema.properties) || {};
  const required = (schema && schema.required) || [];
  return Object.keys(properties).map((name) => {
    const property = properties[name] || {};
    const type = Array.isArray(property.type) ? property.type.find((entry) => entry !== "null") : property.type;
    return { name, type: type || "string", description: property.description || "", required: required.includes(name), choices: property.enum || null };
  });
}

function readField(field, input) {
  if (field.type === "boolean") return input.checked;
  const raw = input.value;
  if (raw.trim() === "") return undefined;
  if (field.choices) return field.choices[Number(raw)];
  if (field.type === "number" || field.type === "integer") {
    const number = Number(raw);
    if (!Number.isFinite(number) || (field.type === "integer" && !Number.isInteger(number))) throw new Error(field.name + " must be " + (field.type === "integer" ? "a whole number" : "a number"));
    return number;
  }
  if (field.type === "array") {
    if (raw.trim().startsWith("[")) return JSON.parse(raw);
    return raw.split(",").map((item) => item.trim()).filter((item) => item !== "");
  }
  if (field.type === "object") {
    try { return JSON.parse(raw); } catch { throw new Error(field.name + " must be a JSON object"); }
  }
  return raw;
}

function fieldInput(field, id) {
  if (field.choices) {
    const options = field.choices.map((choice, index) => el("option", { value: String(index), text: pretty(choice) }));
    return el("select", { id, name: field.name }, [el("option", { value: "", text: "Choose…" }), ...options]);
  }
  if (field.type === "boolean") return el("input", { id, name: field.name, type: "checkbox" });
  if (field.type === "object" || field.type === "array") {
    return el("textarea", { id, name: field.name, rows: "2", placeholder: field.type === "array" ? "a, b, c  or  JSON array" : "JSON object" });
  }
  const numeric = field.type === "number" || field.type === "integer";
  return el("input", { id, name: field.name, type: numeric ? "number" : "text", step: field.type === "number" ? "any" : null });
}

let fieldCounter = 0;

/** A form for fields; read() returns the values or throws with what is wrong. */
function formView(fields) {
  const inputs = [];
  const rows = fields.map((field) => {
    fieldCounter += 1;
    const id = "field-" + fieldCounter;
    const input = fieldInput(field, id);
    inputs.push([field, input]);
    const label = el("label", { for: id }, [el("span", { class: "field-name", text: field.name }), field.required ? el("span", { class: "required", text: " *" }) : null]);
    const help = field.description ? el("span", { class: "help", text: field.description }) : null;
    return el("div", { class: "field" }, [label, input, help]);
  });
  // Built from entries, so a field named "__proto__" or "constructor" is an own property that
  // JSON.stringify sends (assigning values["__proto__"] on a plain object would set its prototype).
  function read() {
    const entries = [];
    for (const [field, input] of inputs) {
      const value = readField(field, input);
      if (value === undefined && field.required) throw new Error(field.name + " is required");
      if (value !== undefined) entries.push([field.name, value]);
    }
    return Object.fromEntries(entries);
  }
  return { node: el("div", { class: "form" }, rows), read };
}

/** A button whose handler's problem (e.g. a bad form value) is shown on its card, not thrown. */
function button(label, kind, onclick) {
  const node = el("button", { type: "button", class: "button " + kind, text: label });
  node.addEventListener("click", () => {
    const problem = node.closest(".card") && node.closest(".card").querySelector(".card-error");
    try {
      if (problem) showText(problem, "");
      onclick();
    } catch (error) {
      if (!problem) throw error;
      showText(problem, error.message);
    }
  });
  return node;
}

/** JSON with each invisible formatting character written as a \u escape: the same value, nothing hidden. */
function visibleJson(value) {
  return JSON.stringify(value, null, 2).replace(INVISIBLE, (character) => "\\u" + character.codePointAt(0).toString(16).toUpperCase().padStart(4, "0"));
}

/**
 * An editor for a tool call's arguments, prefilled with the proposed ones; its button decides
 * { type: "confirm", args } with the edited object (the server checks it against the tool's schema).
 */
function argsEditor(args, decide) {
  const input = el("textarea", { rows: "6", class: "args-editor", spellcheck: "false", "aria-label": "Edited arguments (JSON)" });
  input.value = visibleJson(args);
  const approve = button("Approve with these arguments", "secondary", () => {
    let edited;
    try {
      edited = JSON.parse(input.value);
    } catch (error) {
      throw new Error("The edited arguments are not valid JSON: " + error.message);
    }
    if (typeof edited !== "object" || edited === null || Array.isArray(edited)) throw new Error("The edited arguments must be a JSON object.");
    decide({ type: "confirm", args: edited });
  });
  return el("details", { class: "edit-args" }, [el("summary", { text: "Edit the arguments" }), input, el("div", { class: "actions" }, [approve])]);
}

function noteInput(placeholder) {
  return el("input", { type: "text", class: "note", placeholder, "aria-label": placeholder });
}

/**
 * One paused tool call: name, arguments, and the controls that fit its gate. decide(decision)
 * is called with the decision JSON (type confirm, with edited args or not / reject / input / result).
 */
function toolCallView(call, decide) {
  const parts = [
    el("div", { class: "tool-head" }, [el("span", { class: "label", text: "Tool call" }), el("code", { class: "tool-name", text: call.toolName })]),
    el("pre", { class: "args", text: pretty(call.toolArgs) }),
  ];
  // The breadcrumb from the workflow (or the run's agent) through steps and agents to the tool.
  if (call.where) parts.splice(1, 0, el("p", { class: "path", text: call.where }));
  if (call.origin) parts[0].append(el("span", { class: "label", text: "from " + call.origin }));
  if (call.definitionChanged) parts.push(el("p", { class: "warning", text: "This call was approved, but its tool's definition changed before it ran: it did not run. Decide again under the new definition." }));
  if (call.recovered) parts.push(el("p", { class: "warning", text: "This call may or may not have run before a crash: approve to run it again, reject to skip it." }));
  const note = noteInput("Note for a rejection (optional)");
  const reject = button("Reject", "danger", () => decide({ type: "reject", feedback: note.value.trim() || null }));
  if (call.kind === "userInput") {
    const form = formView(fieldsFromJsonSchema(call.userInputSchema));
    parts.push(form.node, el("div", { class: "actions" }, [button("Submit input", "primary", () => decide({ type: "input", values: form.read() })), note, reject]));
  } else if (call.kind === "externalExecution") {
    const result = el("textarea", { rows: "3", placeholder: "The result of running this tool yourself", "aria-label": "Tool result" });
    parts.push(result, el("div", { class: "actions" }, [button("Submit result", "primary", () => decide({ type: "result", result: result.value })), note, reject]));
  } else {
    parts.push(el("div", { class: "actions" }, [button("Approve", "primary", () => decide({ type: "confirm" })), note, reject]));
    // Only for a call its tool lets a person edit (the run JSON says so: execution.editableArgs).
    if (call.editableArgs) parts.push(argsEditor(call.toolArgs, decide));
    if (call.kind === "confirmation") parts.push(grantEditor(decide));
  }
  const decided = el("p", { class: "decided", hidden: true });
  parts.push(decided);
  const node = el("div", { class: "tool-call" }, parts);
  return {
    node,
    showDecision(decision) {
      decided.hidden = false;
      const edited = decision.args ? " with edited arguments " + JSON.stringify(decision.args) : "";
      const feedback = decision.feedback ? " (" + decision.feedback + ")" : "";
      showText(decided, "Decision: " + decision.type + edited + describeGrantDecision(decision.grant) + feedback);
      node.classList.add("is-decided");
    },
  };
}
`;
