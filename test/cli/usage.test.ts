import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assertNoStack, assertTerminalSafe, assertUsageError, root, runCli } from './run-cli.js';

const version = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string }).version;

describe('bc-customer-gate: help and usage', () => {
  it('prints top-level help with every command, exit 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const result = await runCli([flag]);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^Usage: bc-customer-gate <command>/);
      for (const command of ['verify', 'mint', 'widget', 'dev'])
        assert.match(result.stdout, new RegExp(`^  ${command} `, 'm'));
      assert.equal(result.stderr, '');
    }
  });

  it('prints help for each command, with --help, -h and "help <command>"', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['verify', '--help'], /^Usage: bc-customer-gate verify <token\|->/],
      [['verify', '-h'], /--client-id ID/],
      [['help', 'verify'], /BC_CLIENT_SECRET/],
      [['mint', '--help'], /^Usage: bc-customer-gate mint /],
      [['dev', '--help'], /^Usage: bc-customer-gate dev /],
      [['widget', '--help'], /^Usage: bc-customer-gate widget <subcommand>/],
      [['widget', 'install', '--help'], /^Usage: bc-customer-gate widget install --store-hash HASH/],
      [['widget', 'install', '-h'], /--dry-run/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, pattern, args.join(' '));
    }
  });

  it('--help wins over missing or bad arguments', async () => {
    const result = await runCli(['verify', '--help', '--client-id']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: bc-customer-gate verify/);
  });

  it('prints the package version', async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${version}\n`);
  });

  it('no command: usage, exit 2', async () => {
    assertUsageError(await runCli([]), /Missing command/);
  });

  it('unknown command: usage, exit 2, no stack trace', async () => {
    assertUsageError(await runCli(['frobnicate']), /Unknown command "frobnicate" \(commands: verify, mint/);
    assertUsageError(await runCli(['help', 'frobnicate']), /Unknown command "frobnicate"/);
    assertUsageError(await runCli(['--client-id', 'x']), /Options go after the command/);
  });

  it('unknown flags name the flag but never echo its value', async () => {
    for (const command of [['verify', 'tok'], ['mint'], ['dev'], ['widget', 'install']]) {
      const result = await runCli([...command, '--no-such-flag=hunter2-value']);
      assertUsageError(result, /Unknown option --no-such-flag\./);
      assert.ok(!result.stderr.includes('hunter2-value'));
    }
    assertUsageError(await runCli(['verify', 'tok', '-x']), /Unknown option -x\./);
  });

  it('an unknown command is named clipped and escaped', async () => {
    const result = await runCli([`x\u001b[2K\u200b${'y'.repeat(100)}`]);
    assertUsageError(result, /Unknown command "x\\u001b\[2K\\u200by{34}…"/);
    assertTerminalSafe(result);
  });

  it('widget install --help names the script URL of the installed version', async () => {
    const result = await runCli(['widget', 'install', '--help']);
    assert.equal(result.code, 0);
    assert.ok(
      result.stdout.includes(`https://cdn.jsdelivr.net/npm/bc-customer-gate@${version}/dist/cdn/bc-customer-gate.js`),
    );
    assert.doesNotMatch(result.stdout, /%3C|%3E/);
  });

  it('an unknown flag is named escaped: a pasted escape sequence cannot drive the terminal', async () => {
    const result = await runCli(['verify', 'tok', '--x\u001b]0;owned\u0007\u001b[8m']);
    assertUsageError(result, /Unknown option --x\\u001b\]0;owned\\u0007\\u001b\[8m\./);
    assertTerminalSafe(result);
  });

  it('options missing their value, given twice, or given a value they do not take', async () => {
    assertUsageError(await runCli(['verify', 'tok', '--client-id']), /--client-id needs a value/);
    assertUsageError(await runCli(['verify', 'tok', '--client-id', '--store', 'abc']), /--client-id needs a value/);
    assertUsageError(await runCli(['mint', '--store', 'a', '--store', 'b']), /--store was given more than once/);
    assertUsageError(await runCli(['widget', 'install', '--dry-run=yes']), /--dry-run takes no value/);
  });

  it('unknown widget subcommand and missing subcommand', async () => {
    assertUsageError(await runCli(['widget', 'remove']), /Unknown subcommand "remove" \(subcommands: install\)/);
    assertUsageError(await runCli(['widget']), /Missing subcommand/);
  });

  it('bad numbers are usage errors', async () => {
    assertUsageError(await runCli(['dev', '--port', 'eighty']), /--port must be a whole number from 0 to 65535/);
    assertUsageError(await runCli(['dev', '--port', '70000']), /--port must be a whole number/);
    assertUsageError(await runCli(['dev', '--port', '4000', '--app-port', '4000']), /must differ/);
    const result = await runCli(['dev', 'extra']);
    assertUsageError(result, /Unexpected argument/);
    assertNoStack(result);
  });
});
