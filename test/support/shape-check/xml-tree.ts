/** An XML element as the check reads it: name without prefix, child elements, and its text. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return Object.prototype.hasOwnProperty.call(ENTITIES, e) ? ENTITIES[e] : m;
  });
}

/** A strict little parser for the answers AWS query services send; throws on malformed XML. */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < src.length) {
    const lt = src.indexOf("<", i);
    if (lt < 0) {
      if (src.slice(i).trim()) throw new Error("text after the root element");
      break;
    }
    const text = src.slice(i, lt);
    if (stack.length > 0) stack[stack.length - 1].text += decode(text);
    else if (text.trim()) throw new Error("text outside the root element");
    if (src.startsWith("<?", lt)) {
      i = src.indexOf("?>", lt) + 2;
    } else if (src.startsWith("<!--", lt)) {
      i = src.indexOf("-->", lt) + 3;
    } else if (src.startsWith("<![CDATA[", lt)) {
      const end = src.indexOf("]]>", lt);
      if (stack.length === 0 || end < 0) throw new Error("misplaced CDATA");
      stack[stack.length - 1].text += src.slice(lt + 9, end);
      i = end + 3;
    } else if (src.startsWith("</", lt)) {
      const gt = src.indexOf(">", lt);
      const name = src.slice(lt + 2, gt).trim().replace(/^.*:/, "");
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`closing </${name}> does not match <${open?.name}>`);
      i = gt + 1;
    } else {
      const gt = src.indexOf(">", lt);
      if (gt < 0) throw new Error("unterminated tag");
      let body = src.slice(lt + 1, gt);
      const selfClosing = body.endsWith("/");
      if (selfClosing) body = body.slice(0, -1);
      const m = /^([\w:.-]+)([\s\S]*)$/.exec(body.trim());
      if (!m) throw new Error(`bad tag <${body}>`);
      const attrs: Record<string, string> = {};
      for (const a of m[2].matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]] = decode(a[2]);
      const el: XmlElement = { name: m[1].replace(/^.*:/, ""), attrs, children: [], text: "" };
      if (stack.length > 0) stack[stack.length - 1].children.push(el);
      else if (root) throw new Error("two root elements");
      else root = el;
      if (!selfClosing) stack.push(el);
      i = gt + 1;
    }
  }
  if (!root || stack.length > 0) throw new Error("incomplete document");
  return root;
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
