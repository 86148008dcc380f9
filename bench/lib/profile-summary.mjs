// Summarizes a V8 .cpuprofile: self time and inclusive time per function, top N.
//   node bench/lib/profile-summary.mjs <file.cpuprofile> [top=25]
import fs from "node:fs";
import { fileURLToPath } from "node:url";

function label(node) {
  const frame = node.callFrame;
  const where = frame.url
    ? frame.url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "nm/").replace(/.*\/work\/main\//, "")
    : "";
  return `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
}

/** Prints the `top` functions by self time and by inclusive time, as % of all samples. */
export function summarize(profile, top = 25) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const counts = new Map();
  for (const sample of profile.samples) counts.set(sample, (counts.get(sample) ?? 0) + 1);
  const total = profile.samples.length;

  const self = new Map();
  const inclusive = new Map();
  for (const [id, count] of counts) {
    const name = label(nodes.get(id));
    self.set(name, (self.get(name) ?? 0) + count);
    // A function counts once per sample even when it recurses.
    const seen = new Set();
    for (let current = id; current !== undefined; current = parents.get(current)) {
      const frame = label(nodes.get(current));
      if (seen.has(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + count);
    }
  }
  const show = (title, map) => {
    console.log(`\n${title} (of ${total} samples)`);
    for (const [name, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  show("self time", self);
  show("inclusive time", inclusive);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = "25"] = process.argv.slice(2);
  summarize(JSON.parse(fs.readFileSync(file, "utf8")), Number(top));
}
