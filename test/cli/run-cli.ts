// Runs the built command-line tool as a child process, the way a user's shell would.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export const root = new URL('../..', import.meta.url).pathname;
/** The build under test: dist/ (npm test builds first); CLI_DIST_DIR points at another build. */
export const distDir = process.env['CLI_DIST_DIR'] ?? join(root, 'dist');
export const cliPath = join(distDir, 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  cli?: string;
  timeoutMs?: number;
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const cli = options.cli ?? cliPath;
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" before these tests.`);
  // A clean environment: no BC_* variables leak in from the developer's shell.
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('BC_') && !key.startsWith('NODE_')) env[key] = value;
  }
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Every failure must read as a message, never as a Node stack trace. */
export function assertNoStack(result: CliResult): void {
  for (const text of [result.stdout, result.stderr]) {
    assert.doesNotMatch(text, /^\s+at .+\(.*:\d+:\d+\)$/m, 'output contains a stack trace');
    assert.doesNotMatch(text, /node:internal|Error \[ERR_/, 'output contains a Node internal error');
  }
}

export function assertUsageError(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, `expected exit 2, got ${result.code}: ${result.stderr}`);
  assert.match(result.stderr, pattern);
  assert.match(result.stderr, /^Usage: bc-customer-gate/m);
  assert.equal(result.stdout, '');
  assertNoStack(result);
}

/**
 * Control characters (newline excepted), format characters (zero-width, bidi, tags), the line and
 * paragraph separators: what a crafted token or server answer could use to erase lines, recolour a
 * verdict, retitle the terminal or hide text.
 */
export const TERMINAL_CONTROL = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Nothing in the output can drive the terminal: every control character arrived escaped. */
export function assertTerminalSafe(result: CliResult): void {
  for (const [name, text] of [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
  ] as const) {
    const found = TERMINAL_CONTROL.exec(text);
    assert.equal(
      found,
      null,
      `${name} contains U+${found?.[0].codePointAt(0)?.toString(16).padStart(4, '0')}:\n${JSON.stringify(text)}`,
    );
  }
}
