import type { Writable } from "node:stream";
import { styleText } from "node:util";

/** The few styles the CLI uses. */
export type Style = "bold" | "dim" | "green" | "red" | "yellow" | "cyan" | "magenta";

/** Symbols in the style of @clack/prompts, so progress lines and prompts read as one column. */
export const SYMBOL = {
  bar: "│",
  step: "◇",
  info: "●",
  done: "✔",
  skipped: "○",
  fail: "✖",
  warn: "▲",
  toolCall: "→",
  toolResult: "←",
} as const;

/**
 * Writes lines to the terminal (or a pipe). Colour is used only on a terminal and never when
 * NO_COLOR is set, so piped output and test captures stay plain text.
 */
export class Terminal {
  readonly output: Writable;
  readonly #colors: boolean;
  #openLine = false;

  constructor(output: Writable & { isTTY?: boolean }, environment: NodeJS.ProcessEnv = process.env) {
    this.output = output;
    this.#colors = output.isTTY === true && environment["NO_COLOR"] === undefined;
  }

  /** `text` in `style` when colour is on, else as it is. */
  paint(style: Style, text: string): string {
    return this.#colors ? styleText(style, text) : text;
  }

  /** One line with a leading symbol; continuation lines get the guide bar. */
  line(symbol: string, text: string, style?: Style): void {
    this.endOpenLine();
    const [first = "", ...rest] = text.split("\n");
    const head = style === undefined ? symbol : this.paint(style, symbol);
    const bar = this.paint("dim", SYMBOL.bar);
    this.output.write(`${head}  ${first}\n${rest.map((part) => `${bar}  ${part}\n`).join("")}`);
  }

  /** Text that arrives in pieces (a model's streamed answer), kept on guide-bar lines. */
  stream(delta: string): void {
    const bar = `${this.paint("dim", SYMBOL.bar)}  `;
    const pieces = delta.split("\n");
    const text = pieces.map((piece, index) => (index === 0 ? piece : `\n${bar}${piece}`)).join("");
    this.output.write(this.#openLine ? text : `${bar}${text}`);
    this.#openLine = true;
  }

  /** Ends a streamed line, if one is open. */
  endOpenLine(): void {
    if (!this.#openLine) return;
    this.output.write("\n");
    this.#openLine = false;
  }
}

/** A short, one-line rendering of a value (for tool arguments and results). */
export function inline(value: unknown, max = 160): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Tool arguments as `name: value` lines, aligned. */
export function argumentLines(args: Readonly<Record<string, unknown>>): string[] {
  const entries = Object.entries(args);
  if (entries.length === 0) return ["(no arguments)"];
  const width = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, value]) => `${name.padEnd(width)}  ${JSON.stringify(value)}`);
}
