// Parses the Mermaid diagram on stdin with mermaid itself (the library GitHub renders diagrams with) and
// prints what it understood, as JSON: the diagram type, vertices, edges and subgraphs; or the parse error.
// It runs in a process of its own: mermaid is an ES module and needs a DOM for DOMPurify at load, which
// linkedom stands in for, and neither belongs in a test worker.
import { Buffer } from "node:buffer";
import process from "node:process";
import { parseHTML } from "linkedom";

const { window } = parseHTML("<!doctype html><html><body></body></html>");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");

// Mermaid keeps entity codes (`#quot;`, `#35;`) encoded until it draws; this is what a reader then sees.
const NAMED = { quot: '"', lt: "<", gt: ">", amp: "&" };
const shown = (text) =>
  text
    .replace(/ﬂ°°/g, "&#")
    .replace(/ﬂ°/g, "&")
    .replace(/¶ß/g, ";")
    .replace(/&#(\d+);/g, (_, code) => String.fromCodePoint(Number(code)))
    .replace(/&(quot|lt|gt|amp);/g, (_, name) => NAMED[name]);

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");
try {
  await mermaid.parse(text);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  process.stdout.write(
    JSON.stringify({
      type: diagram.type,
      vertices: [...db.getVertices().values()].map((v) => ({ id: v.id, text: shown(v.text) })),
      edges: db.getEdges().map((e) => ({ start: e.start, end: e.end, text: shown(e.text) })),
      subgraphs: db.getSubGraphs().map((s) => ({ id: s.id, title: shown(s.title), nodes: s.nodes })),
    }),
  );
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
}
