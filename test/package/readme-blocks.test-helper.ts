// The README's TypeScript examples, as the pack-and-install test type-checks them.
//
// Every ```ts block is compiled as a module of its own. A block that is an excerpt (it uses names
// an earlier block or the surrounding text defines) says what it assumes in an HTML comment on
// the line just above its fence, which the rendered README does not show:
//
//   <!-- type-checked with: import type { Workflow } from "kern/workflow"; declare const workflow: Workflow; -->
//
// and a block that cannot compile on purpose says why, the same way:
//
//   <!-- not type-checked: <reason> -->
import { readFileSync } from "node:fs";

/** One ```ts block of the README. */
export interface ReadmeBlock {
  /** The line of its opening fence (1-based). */
  line: number;
  /** Its code, with the declarations its marker gives prepended. */
  code: string;
  /** How many lines of `code` come before the block's own first line. */
  offset: number;
  /** Why it is not compiled, when its marker says so; else null. */
  skipped: string | null;
}

const WITH = /^<!--\s*type-checked with:\s*(.*?)\s*-->$/;
const SKIP = /^<!--\s*not type-checked:\s*(.*?)\s*-->$/;

/** The ```ts blocks of the markdown file at `path`, in order. */
export function readmeBlocks(path: string): ReadmeBlock[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const blocks: ReadmeBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    if (lines[index]?.trim() !== "```ts") continue;
    const marker = lines[index - 1]?.trim() ?? "";
    const end = lines.findIndex((line, at) => at > index && line.trim() === "```");
    if (end === -1) throw new Error(`${path}:${index + 1}: a \`\`\`ts block is never closed`);
    const prelude = WITH.exec(marker)?.[1];
    const body = lines.slice(index + 1, end).join("\n");
    // `export {}` makes every block a module, so top-level await is allowed as in the README.
    const code = `${prelude === undefined ? "" : `${prelude}\n`}${body}\nexport {};\n`;
    blocks.push({
      line: index + 1,
      code,
      offset: prelude === undefined ? 0 : 1,
      skipped: SKIP.exec(marker)?.[1] ?? null,
    });
    index = end;
  }
  return blocks;
}
