// Property-based tests: the command line's output under hostile tokens and hostile API answers.
// Headers, claims, titles and field errors full of control characters and escape sequences go
// through the verify and widget install commands in-process; nothing that can drive a terminal
// (C0 or C1 controls but the newline, DEL, bidi controls) may reach stdout or stderr, and no value
// may start a line of its own (a forged "VALID"). Replay with the FUZZ_SEED it prints.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { ISSUER, OPERATION, TOKEN_LIFETIME_SECONDS } from '../../src/protocol.js';
import type { Io } from '../../src/cli/io.js';
import { runEntry } from '../../src/cli/command.js';
import { command as verify } from '../../src/cli/verify.js';
import { command as widget } from '../../src/cli/widget.js';
import { DEFAULT_WIDGET_NAME } from '../../src/widget/template.js';
import { TERMINAL_CONTROL } from '../cli/run-cli.js';
import { setOwn, signJson, unicodeString } from './arbitraries.js';
import { createTally, FUZZ_SEED } from './run-property.js';

const CLIENT_ID = 'q4gfrw8a1b2c3d4e5f6g7h8i9j0kl';
const SECRET = 'cli-fuzz-secret-8d02b7e5';
const STORE = 'abc123';

/** Sequences that erase, move, recolour, retitle, hide, or forge a verdict line. */
const SEQUENCES = [
  '\u001b[2K',
  '\u001b[1A',
  '\u001b[2J',
  '\u001b[H',
  '\r',
  '\b',
  '\u007f',
  '\u001b]0;all good\u0007',
  '\u001b]8;;https://evil.example\u001b\\',
  '\u001b[8m',
  '\u001b[32m',
  '\u001b[0m',
  '\u009b2J',
  '\u009b8m',
  '\u009d0;title\u009c',
  '\u0085',
  '\u202e',
  '\u2066',
  '\u200f',
  '\u2028',
  '\u001bP+q\u001b\\',
  '\u001bc',
  '\n',
  '\r\n',
  '\nVALID: a Current Customer token for this app.\n',
  '\u001b[1A\u001b[2K\rVALID',
];
const controlArb = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((code) => String.fromCharCode(code));

/** Text that mixes escape sequences, single control characters and any Unicode. */
const hostileTextArb: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...SEQUENCES) },
      { weight: 2, arbitrary: controlArb },
      { weight: 2, arbitrary: unicodeString({ maxLength: 6 }) },
    ),
    {
      minLength: 1,
      maxLength: 6,
    },
  )
  .map((parts) => parts.join(''));

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

const cliCaseArb = fc.record({
  alg: fc.oneof(
    fc.constantFrom('HS256', 'HS512'),
    hostileTextArb,
    fc.tuple(fc.constantFrom('HS256', 'HS512', 'none'), hostileTextArb).map(([a, b]) => a + b),
  ),
  signWith: fc.constantFrom('HS256', 'HS512') as fc.Arbitrary<'HS256' | 'HS512'>,
  headerExtra: fc.dictionary(hostileTextArb, hostileTextArb, { maxKeys: 2 }),
  store: maybe(hostileTextArb),
  storeOnly: fc.boolean(), // store_hash changed, sub left alone
  aud: maybe(hostileTextArb),
  iss: maybe(hostileTextArb),
  operation: maybe(hostileTextArb),
  email: maybe(hostileTextArb),
  group: maybe(hostileTextArb),
  extra: fc.dictionary(hostileTextArb, hostileTextArb, { maxKeys: 2 }),
  rightSecret: fc.boolean(),
  pinStore: fc.boolean(),
});

type CliCase = typeof cliCaseArb extends fc.Arbitrary<infer T> ? T : never;

function tokenFor(c: CliCase): string {
  const now = Math.floor(Date.now() / 1000) - 5;
  const claims: Record<string, unknown> = {
    customer: {
      id: 4927,
      email: c.email ?? 'john.doe@example.com',
      ...(c.group === undefined ? {} : { group_id: c.group }),
    },
    iss: c.iss ?? ISSUER,
    sub: c.store !== undefined && !c.storeOnly ? c.store : STORE,
    iat: now,
    exp: now + TOKEN_LIFETIME_SECONDS,
    aud: c.aud ?? CLIENT_ID,
    application_id: CLIENT_ID,
    store_hash: c.store ?? STORE,
    operation: c.operation ?? OPERATION,
  };
  for (const [key, value] of Object.entries(c.extra)) setOwn(claims, key, value);
  const header: Record<string, unknown> = { alg: c.alg, typ: 'JWT' };
  for (const [key, value] of Object.entries(c.headerExtra))
    if (key !== 'alg' && key !== 'crit') setOwn(header, key, value);
  return signJson(header, claims, c.rightSecret ? SECRET : 'some-other-apps-secret-xx', c.signWith);
}

function memoryIo(env: Record<string, string>): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    env,
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
    readStdin: async () => '',
    watchInterrupt: () => assert.fail('not a long-running command'),
  };
  return io;
}

function assertNoControls(name: string, text: string): void {
  const found = TERMINAL_CONTROL.exec(text);
  assert.equal(
    found,
    null,
    `${name} carries U+${found?.[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${JSON.stringify(text)}`,
  );
}

// Every line the verify command writes, by its start: a value can only ever continue a line.
const VERIFY_STDOUT_LINE =
  /^(| {2}.*|Header \(unverified\):|Claims \(unverified: decoded, not yet checked\):|VALID: .*|REFUSED: .*|Diagnosis:|Fix: .*|Could not decode the token: .*|Not a complete JWT: .*)$/;
const VERIFY_STDERR_LINE = /^(warning|note): .*$/;

const { run, property, summary } = createTally('cli fuzz');

describe(`command-line output under hostile input (FUZZ_SEED=${FUZZ_SEED})`, () => {
  after(summary);

  property(
    'verify: no control character from a header or claim reaches the terminal, and no value starts a line',
    { numRuns: 400, timeLimitMs: 4000 },
    () =>
      fc.asyncProperty(cliCaseArb, async (c) => {
        const io = memoryIo({ BC_CLIENT_SECRET: SECRET });
        const args = [tokenFor(c), '--client-id', CLIENT_ID, ...(c.pinStore ? ['--store', STORE] : [])];
        const code = await runEntry(verify, args, io);
        assertNoControls('stdout', io.out);
        assertNoControls('stderr', io.err);
        for (const line of io.out.replace(/\n$/, '').split('\n'))
          assert.match(line, VERIFY_STDOUT_LINE, `stdout line ${JSON.stringify(line)}`);
        for (const line of io.err.replace(/\n$/, '').split('\n').filter(Boolean))
          assert.match(line, VERIFY_STDERR_LINE, `stderr line ${JSON.stringify(line)}`);
        const verdicts = io.out.match(/^(VALID|REFUSED)\b/gm) ?? [];
        assert.deepEqual(
          verdicts,
          [code === 0 ? 'VALID' : 'REFUSED'],
          `exit ${code}, verdict lines ${JSON.stringify(verdicts)}`,
        );
      }),
  );

  const errorsArb = fc.oneof(
    fc.dictionary(
      hostileTextArb,
      fc.oneof(
        hostileTextArb,
        fc.array(hostileTextArb, { maxLength: 2 }),
        fc.dictionary(hostileTextArb, hostileTextArb, { maxKeys: 1 }),
      ),
      { maxKeys: 3 },
    ),
    fc.array(hostileTextArb, { maxLength: 3 }),
    hostileTextArb,
  );
  const apiCaseArb = fc.oneof(
    fc.record({
      kind: fc.constant('error' as const),
      status: fc.integer({ min: 400, max: 599 }),
      title: maybe(hostileTextArb),
      errors: maybe(errorsArb),
    }),
    fc.record({
      kind: fc.constant('stored' as const),
      uuids: fc.array(hostileTextArb, { minLength: 1, maxLength: 2 }),
      same: fc.boolean(),
      created: hostileTextArb,
    }),
  );

  it('widget install: no control character from an API answer reaches the terminal', { timeout: 60_000 }, async (t) => {
    const realFetch = globalThis.fetch;
    try {
      await run(
        t,
        fc.asyncProperty(apiCaseArb, fc.boolean(), async (api, dryRun) => {
          // The API's side of the conversation, in-process: this property is about what the CLI prints.
          globalThis.fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
            const json = (status: number, body: unknown) =>
              new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
            if (api.kind === 'error')
              return json(api.status, {
                status: api.status,
                ...(api.title === undefined ? {} : { title: api.title }),
                ...(api.errors === undefined ? {} : { errors: api.errors }),
              });
            if (init?.method === 'GET') {
              const { buildWidgetTemplate } = await import('../../src/widget/template.js');
              const { packageVersion } = await import('../../src/version.js');
              const current = buildWidgetTemplate({ version: packageVersion() });
              const data = api.uuids.map((uuid) => ({
                uuid,
                name: DEFAULT_WIDGET_NAME,
                template: api.same ? current.template : 'old',
                schema: current.schema,
              }));
              return json(200, { data, meta: { pagination: { total_pages: 1, current_page: 1 } } });
            }
            return json(200, { data: { uuid: api.created } });
          }) as typeof fetch;
          const io = memoryIo({ BC_ACCESS_TOKEN: 'fuzz-access-token-123456' });
          const code = await runEntry(
            widget,
            [
              'install',
              '--store-hash',
              STORE,
              '--api-base',
              'https://api.example.com',
              ...(dryRun ? ['--dry-run'] : []),
            ],
            io,
          );
          assertNoControls('stdout', io.out);
          assertNoControls('stderr', io.err);
          for (const line of io.err.replace(/\n$/, '').split('\n').filter(Boolean)) {
            assert.match(line, /^(error: .*|warning: .*| {2}.*)$/, `stderr line ${JSON.stringify(line)}`);
          }
          if (api.kind === 'error' || code !== 0) {
            assert.equal(code, 1);
            assert.equal(io.out, '');
            assert.match(io.err, /^error: /m);
          }
        }),
        { numRuns: 300, timeLimitMs: 4000 },
      );
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
