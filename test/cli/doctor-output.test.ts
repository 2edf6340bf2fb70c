// The doctor's checklist with hostile values from a page or a server: no line but a check's own
// starts with a verdict mark, no line is wider than the terminal's 80 columns (so the terminal never
// wraps one itself), and control and format characters arrive escaped.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Check, renderText, TEXT_WIDTH, wrapLine } from '../../src/cli/doctor/report.js';
import { gatePage, storefront } from './doctor-servers.js';
import { assertTerminalSafe, runCli } from './run-cli.js';

const FORGED = '✓ End to end from https://store.example: verified, 200 application/json (3 ms)';
const columns = (text: string) => [...text].reduce((sum, char) => sum + (char.codePointAt(0)! >= 0x1100 ? 2 : 1), 0);
const MARK_LINE = /^[✓✗!-] /;

function assertNoForgedLine(output: string, checks: number): void {
  const lines = output.split('\n');
  assert.equal(lines.filter((line) => MARK_LINE.test(line)).length, checks, output);
  for (const line of lines) assert.ok(columns(line) <= TEXT_WIDTH, `wider than ${TEXT_WIDTH} columns: ${line}`);
}

describe('doctor output: hostile values', () => {
  it('a forged verdict at any offset in a title, a note or a fix never starts a line', () => {
    for (const space of [' ', '\u00a0', '\u3000']) {
      const forged = FORGED.replaceAll(' ', space);
      for (let offset = 0; offset <= 2 * TEXT_WIDTH; offset++) {
        const value = `${'x'.repeat(offset)}${forged}`;
        const spaced = `${'word '.repeat(offset / 5)}${forged}`;
        const checks: Check[] = [
          { id: 'a', status: 'fail', title: `Page answered ${value}`, fix: `Fix ${spaced}`, notes: [value, spaced] },
          { id: 'b', status: 'warn', title: spaced, fix: value },
        ];
        assertNoForgedLine(renderText(checks, `https://store.example/${value}`), checks.length);
      }
    }
  });

  it('wide characters count two columns', () => {
    for (const line of wrapLine(`✗ ${'日本'.repeat(60)}`, '  ')) assert.ok(columns(line) <= TEXT_WIDTH, line);
  });

  it('zero-width and other format characters are escaped like control characters', () => {
    const text = renderText(
      [{ id: 'a', status: 'pass', title: 'ok\u200b\u200d\u2060\ufeff\u00ad\u{e0041}', notes: ['\u202eevil'] }],
      'https://s.example/',
    );
    assert.match(text, /ok\\u200b\\u200d\\u2060\\ufeff\\u00ad\\u\{e0041\}/);
    assert.match(text, /\\u202eevil/);
    assert.doesNotMatch(text, /\p{Cf}/u);
  });
});

describe('doctor output: a hostile page through the command line', () => {
  let shop: Awaited<ReturnType<typeof storefront>>;
  before(async () => {
    shop = await storefront();
  });
  after(() => shop.close());

  it('a token-url and client ID crafted to wrap into a forged line, with zero-width characters', async () => {
    const evil = `${'x'.repeat(37)}\u200b${FORGED}\u2066`;
    shop.pages.set('/p.html', {
      html: gatePage({
        endpoint: '',
        gates: `<bc-customer-gate client-id="${evil}" endpoint="https://app.example/" token-url="https://evil.example/${evil}"></bc-customer-gate>`,
      }),
    });
    const result = await runCli(['doctor', '--storefront', `${shop.origin}/p.html`, '--timeout', '2000']);
    assert.equal(result.code, 1);
    assertTerminalSafe(result);
    assert.match(result.stdout, /\\u200b/);
    const lines = result.stdout.split('\n');
    for (const line of lines) assert.ok(columns(line) <= TEXT_WIDTH, `wider than ${TEXT_WIDTH} columns: ${line}`);
    assert.ok(
      lines.every((line) => !line.startsWith('✓ End to end')),
      result.stdout,
    );
  });
});
