const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Decodes the HTML character references an attribute value or text may hold. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (reference, name: string) => {
    if (name.startsWith('#')) {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : reference;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? reference;
  });
}

/** Any start or end tag; quoted attribute values may hold `>`. */
const TAG = /<\/?[a-z][^\s/>]*(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
/** An `<a>` element: its attributes and its content. */
const ANCHOR = /<a\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/a\s*>/gi;
const HREF = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;
const BLOCK_END = /<\/(?:p|div|h[1-6]|ul|ol|table|tr|blockquote|pre|section|article|header|footer)\s*>/gi;

/**
 * A plain-text rendering of an HTML body, for the `text/plain` part of a message that only has
 * HTML: scripts, styles and comments dropped, line breaks kept at `<br>` and block ends, list
 * items dashed, each web link's target after its label, tags stripped and entities decoded.
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(ANCHOR, (_whole, attributes: string, content: string) => {
      const label = content.replace(TAG, '').trim();
      const match = HREF.exec(attributes);
      const raw = (match?.[1] ?? match?.[2] ?? match?.[3] ?? '').trim();
      const url = decodeEntities(raw);
      if (!/^https?:\/\//i.test(url) || decodeEntities(label) === url) return content;
      return label === '' ? raw : `${content} (${raw})`;
    })
    .replace(/<br\b[^>]*>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(BLOCK_END, '\n\n')
    .replace(TAG, '');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.replace(/[ \t\r\f\v\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
