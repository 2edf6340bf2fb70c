// terminalSafe: what a page, a token or an API answer could use to fool a reader of the terminal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terminalSafe } from '../../src/terminal.js';

describe('terminalSafe', () => {
  it('escapes control characters, keeping newlines only when asked', () => {
    assert.equal(terminalSafe('a\u001b[2Kb\r\nc\u0085'), 'a\\u001b[2Kb\\u000d\\u000ac\\u0085');
    assert.equal(terminalSafe('a\nb\tc', { keepNewlines: true }), 'a\nb\\u0009c');
  });

  it('escapes format characters (Unicode Cf): zero-width, bidi, soft hyphen, byte order mark, tags', () => {
    const hostile = 'ok\u200b\u200c\u200d\u2060\u00ad\ufeff\u202e\u2066\u{e0041}';
    assert.equal(terminalSafe(hostile), 'ok\\u200b\\u200c\\u200d\\u2060\\u00ad\\ufeff\\u202e\\u2066\\u{e0041}');
  });

  it('escapes the line and paragraph separators and lone surrogates', () => {
    assert.equal(terminalSafe('a\u2028b\u2029c\ud800d'), 'a\\u2028b\\u2029c\\ud800d');
  });

  it('leaves printable text alone, and is idempotent', () => {
    const text = 'Zoë ✓ 日本 🙂 "quoted" \\u200b';
    assert.equal(terminalSafe(text), text);
    const once = terminalSafe('x\u200by\u001bz');
    assert.equal(terminalSafe(once), once);
  });
});
