// Just enough of an HTML parser for the report's tests: elements with their attributes and
// text, nesting checked (every element closed, in order), entities decoded. It fails loudly on
// markup a browser would have to repair.

export interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  /** The text directly and in all descendants, entities decoded. */
  text: string;
}

const VOID = new Set(["meta", "br", "hr", "img", "input", "link"]);
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e]!);

export function parseHtml(html: string): Element {
  const root: Element = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: Element[] = [root];
  const token =
    /<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*(\/?)>|([^<]+)/gy;
  for (const m of html.matchAll(token)) {
    const [, closing, name, attrText, selfClosing, text] = m;
    if (text !== undefined) {
      for (const open of stack) open.text += decode(text);
      continue;
    }
    if (!name) continue;
    const tag = name.toLowerCase();
    if (closing) {
      const open = stack.pop();
      if (open?.name !== tag) throw new Error(`</${tag}> closes <${open?.name}> at ${m.index}`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? "").matchAll(/([\w-]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = decode(a[2] ?? "");
    const element: Element = { name: tag, attrs, children: [], text: "" };
    stack.at(-1)!.children.push(element);
    if (!VOID.has(tag) && !selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`unclosed: ${stack.map((e) => e.name).join(" > ")}`);
  const consumed = [...html.matchAll(token)].reduce((n, m) => n + m[0].length, 0);
  if (consumed !== html.length) throw new Error(`unparsable markup at offset ${consumed}`);
  return root;
}

/** Every element below `e` (depth first) that `match` accepts. */
export function findAll(e: Element, match: (x: Element) => boolean): Element[] {
  return e.children.flatMap((c) => [...(match(c) ? [c] : []), ...findAll(c, match)]);
}
