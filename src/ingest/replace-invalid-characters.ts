import { hasInvalidCharacters } from './find-json-problem.ts';

const REPLACEMENT = '\ufffd';

/**
 * The text with each NUL and unpaired surrogate half replaced by U+FFFD, the way a UTF-8 decoder
 * treats bytes it cannot read. For text Tailor must keep rather than refuse, such as a provider's
 * verified callback quoting what a person typed: storing it as sent would fail PostgreSQL, and
 * refusing it would lose the reply.
 */
export function replaceInvalidCharacters(text: string): string {
  if (!hasInvalidCharacters(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0) {
      out += REPLACEMENT;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text.slice(i, i + 2);
        i += 1;
      } else {
        out += REPLACEMENT;
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += REPLACEMENT;
    } else {
      out += text.charAt(i);
    }
  }
  return out;
}
