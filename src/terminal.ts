/**
 * Text from a token, a server or a page, made safe to print on a terminal or in a log line. Shared by
 * every room that prints (the command line) and kept free of imports, so it sits on the ground floor.
 */

/**
 * Control characters (Cc: C0, DEL, C1), format characters (Cf: zero-width spaces and joiners, bidi
 * marks and overrides, the soft hyphen, tag characters…), the line and paragraph separators, and lone
 * surrogates. https://www.unicode.org/reports/tr44/#General_Category_Values
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * Every unprintable character becomes a visible `\u…` escape (`\u{…}` above U+FFFF), so crafted input
 * cannot erase lines, recolour a verdict, retitle the terminal, reorder what follows or hide text in
 * zero-width characters. Newlines are kept only when `keepNewlines` is set, for multi-line text the
 * caller itself frames (pretty-printed JSON, whose strings are already escaped).
 * Idempotent: its output contains none of the characters it escapes.
 */
export function terminalSafe(text: string, { keepNewlines = false } = {}): string {
  return String(text).replace(UNPRINTABLE, (char) => {
    if (keepNewlines && char === '\n') return char;
    const code = char.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
