import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { buildWidgetTemplate, DEFAULT_WIDGET_NAME } from '../../src/widget/template.js';
import { installWidgetTemplate } from '../../src/widget/client.js';
import { assertNoStack, assertTerminalSafe, assertUsageError, root, runCli, type CliResult } from './run-cli.js';
import { startWidgetsApi, type FakeWidgetsApi } from './widgets-api.js';
import { readFileSync } from 'node:fs';

const TOKEN = 'good-token-0123456789';
const READ_ONLY = 'read-only-token-987654';
const STORE = 'abc123';
const version = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string }).version;

let api: FakeWidgetsApi;

before(async () => {
  api = await startWidgetsApi({ storeHash: STORE, tokens: [TOKEN], readOnlyTokens: [READ_ONLY] });
});
after(() => api.close());
beforeEach(() => {
  api.templates.length = 0;
  api.requests.length = 0;
  api.requiredFields = ['name', 'template'];
  api.failWith = undefined;
  api.failBody = undefined;
});

const install = (extra: string[] = [], token: string | null = TOKEN) =>
  runCli(['widget', 'install', '--store-hash', STORE, '--api-base', api.base, ...extra], {
    env: token ? { BC_ACCESS_TOKEN: token } : {},
  });

function assertClean(result: CliResult, ...secrets: string[]): void {
  for (const secret of [TOKEN, READ_ONLY, ...secrets]) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'an access token was printed');
  }
  assertNoStack(result);
}

/** What a fresh install should store, for comparing with what the fake API holds. */
const expected = (options: { clientId?: string; endpoint?: string; name?: string } = {}) =>
  buildWidgetTemplate({ version, ...options });

describe('bc-customer-gate widget install', () => {
  it('creates the template on the first run', async () => {
    const result = await install(['--client-id', 'cid123', '--endpoint', 'https://app.example.com/gate']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `^Created widget template "${DEFAULT_WIDGET_NAME.replace(/[()]/g, '\\$&')}" \\(${api.templates[0]?.uuid}\\)`,
      ),
    );
    assert.equal(api.templates.length, 1);
    const stored = api.templates[0]!;
    const want = expected({ clientId: 'cid123', endpoint: 'https://app.example.com/gate' });
    assert.equal(stored.name, want.name);
    assert.equal(stored.template, want.template);
    assert.deepEqual(stored.schema, want.schema);
    assert.match(
      stored.template,
      new RegExp(
        `<script type="module" nonce="\\{\\{nonce\\}\\}" src="https://cdn\\.jsdelivr\\.net/npm/bc-customer-gate@${version.replace(/\./g, '\\.')}/dist/cdn/bc-customer-gate\\.js"></script>`,
      ),
    );
    assert.deepEqual(
      api.writes().map((r) => r.method),
      ['POST'],
    );
    assert.ok(
      api.requests.every((r) => r.token === TOKEN),
      'every request carries X-Auth-Token',
    );
    assertClean(result);
  });

  it('sends no write when run again with the same template', async () => {
    assert.equal((await install()).code, 0);
    const second = await install();
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /is already up to date; nothing sent/);
    assert.deepEqual(
      api.writes().map((r) => r.method),
      ['POST'],
      'the second run wrote nothing',
    );
    assert.equal(api.templates.length, 1);
  });

  it('updates in place (PUT) when the stored template differs', async () => {
    assert.equal((await install()).code, 0);
    const uuid = api.templates[0]!.uuid;
    api.templates[0]!.template = '<p>an older version</p>';
    const result = await install();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^Updated widget template .* \\(${uuid}\\)`));
    assert.deepEqual(
      api.writes().map((r) => `${r.method} ${r.path}`),
      [`POST /stores/${STORE}/v3/content/widget-templates`, `PUT /stores/${STORE}/v3/content/widget-templates/${uuid}`],
    );
    assert.equal(api.templates.length, 1);
    assert.equal(api.templates[0]!.template, expected().template);
  });

  it('updates when only the schema defaults changed (--client-id)', async () => {
    assert.equal((await install(['--client-id', 'first'])).code, 0);
    const result = await install(['--client-id', 'second']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Updated/);
    assert.deepEqual(api.templates[0]!.schema, expected({ clientId: 'second' }).schema);
  });

  it('finds its template by name across pages (meta.pagination)', async () => {
    const stamp = new Date().toISOString();
    for (let i = 0; i < 120; i++) {
      api.templates.push({
        uuid: `other-${i}`,
        name: `Other widget ${i}`,
        template: '<p></p>',
        schema: [],
        channel_id: 1,
        kind: 'custom',
        date_created: stamp,
        date_modified: stamp,
      });
    }
    const want = expected();
    api.templates.splice(110, 0, {
      uuid: 'ours',
      name: want.name,
      template: want.template,
      schema: want.schema,
      channel_id: 1,
      kind: 'custom',
      date_created: stamp,
      date_modified: stamp,
    });
    const result = await install();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\(ours\) is already up to date/);
    assert.deepEqual(
      api.requests.map((r) => r.path.replace(/^.*\?/, '')),
      ['page=1&limit=50', 'page=2&limit=50', 'page=3&limit=50'],
    );
    assert.equal(api.writes().length, 0);
  });

  it('--channel-id creates the template in that channel and looks it up there only', async () => {
    const stamp = new Date().toISOString();
    const want = expected();
    // The same template already in the first channel: installing for channel 2 must not touch it.
    api.templates.push({
      uuid: 'first-channel',
      name: want.name,
      template: want.template,
      schema: want.schema,
      channel_id: 1,
      kind: 'custom',
      date_created: stamp,
      date_modified: stamp,
    });
    const result = await install(['--channel-id', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Created widget template .* in channel 2\.$/m);
    assert.deepEqual(
      api.templates.map((t) => [t.uuid === 'first-channel' ? 'first-channel' : 'new', t.channel_id]),
      [
        ['first-channel', 1],
        ['new', 2],
      ],
    );
    assert.deepEqual(
      api.requests.filter((r) => r.method === 'GET').map((r) => r.path.replace(/^.*\?/, '')),
      ['page=1&limit=50&channel_id:in=2'],
    );

    const again = await install(['--channel-id', '2']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /in channel 2 is already up to date; nothing sent/);
    assert.equal(api.writes().length, 1);
  });

  it('--channel-id updates the template of that channel and keeps channel_id in the PUT', async () => {
    assert.equal((await install(['--channel-id', '3'])).code, 0);
    api.templates[0]!.template = 'stale';
    const result = await install(['--channel-id', '3', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^PUT .*/widget-templates/${api.templates[0]!.uuid}$`, 'm'));
    assert.match(result.stdout, /^ {2}"channel_id": 3$/m);
  });

  it('--channel-id 2 --dry-run shows "channel_id": 2 in the body, with or without a token', async () => {
    for (const token of [null, TOKEN]) {
      const result = await install(['--channel-id', '2', '--dry-run'], token);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^POST /m);
      assert.match(result.stdout, /^ {2}"channel_id": 2$/m);
      assertClean(result);
    }
    assert.equal(api.writes().length, 0);
  });

  it('without --channel-id the body has no channel_id and the help says where the widget goes', async () => {
    const result = await install(['--dry-run'], null);
    assert.doesNotMatch(result.stdout, /channel_id/);
    const help = await runCli(['widget', 'install', '--help']);
    assert.match(
      help.stdout.replace(/\s+/g, ' '),
      /Without it, BigCommerce puts the template on the store's first channel only/,
    );
  });

  it('installWidgetTemplate refuses a channel ID that is not a positive integer, before any request', async () => {
    for (const channelId of [0, -2, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, '2' as unknown as number]) {
      await assert.rejects(
        installWidgetTemplate(expected(), { storeHash: STORE, accessToken: TOKEN, apiBase: api.base, channelId }),
        (error: Error) => error instanceof TypeError && /channel ID must be a positive integer/.test(error.message),
        String(channelId),
      );
    }
    assert.equal(api.requests.length, 0);
    const result = await installWidgetTemplate(expected(), {
      storeHash: STORE,
      accessToken: TOKEN,
      apiBase: api.base,
      channelId: 4,
    });
    assert.equal(result.action, 'created');
    assert.equal(result.write?.body?.channel_id, 4);
    assert.equal(api.templates[0]!.channel_id, 4);
  });

  it('--name installs a second, separately named template', async () => {
    assert.equal((await install()).code, 0);
    const result = await install(['--name', 'Members only']);
    assert.equal(result.code, 0);
    assert.deepEqual(api.templates.map((t) => t.name).sort(), [DEFAULT_WIDGET_NAME, 'Members only'].sort());
  });

  it('--dry-run prints the POST it would send, token masked, and writes nothing', async () => {
    const result = await install(['--dry-run', '--endpoint', 'https://app.example.com/gate']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Dry run: nothing was changed\./);
    assert.match(
      result.stdout,
      new RegExp(`^POST ${api.base.replace(/\./g, '\\.')}/stores/${STORE}/v3/content/widget-templates$`, 'm'),
    );
    assert.match(result.stdout, /X-Auth-Token: \*+ \(masked\)/);
    assert.match(result.stdout, /"name": "Customer gate \(bc-customer-gate\)"/);
    assert.match(result.stdout, /"default": "https:\/\/app\.example\.com\/gate"/);
    assert.equal(api.writes().length, 0);
    assert.equal(api.templates.length, 0);
    assertClean(result);
  });

  it('--dry-run against a changed template prints the PUT and writes nothing', async () => {
    assert.equal((await install()).code, 0);
    const uuid = api.templates[0]!.uuid;
    api.templates[0]!.template = 'stale';
    const result = await install(['--dry-run']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, new RegExp(`^PUT .*/widget-templates/${uuid}$`, 'm'));
    assert.deepEqual(
      api.writes().map((r) => r.method),
      ['POST'],
    );
    assert.equal(api.templates[0]!.template, 'stale');
  });

  it('--dry-run with nothing to change says so', async () => {
    assert.equal((await install()).code, 0);
    const result = await install(['--dry-run']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /already up to date; no write would be sent/);
  });

  it('--dry-run without a token plans a create and sends nothing at all', async () => {
    const result = await install(['--dry-run'], null);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /No access token, so the store was not checked/);
    assert.match(result.stdout, /X-Auth-Token: \(your access token\)/);
    assert.match(result.stdout, /^POST /m);
    assert.equal(api.requests.length, 0);
  });

  it('401: the token is wrong or expired', async () => {
    const result = await install([], 'wrong-token-55555');
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: The Widgets API refused the access token \(401\): it is wrong, expired or revoked/m,
    );
    assert.equal(result.stdout, '');
    assertClean(result, 'wrong-token-55555');
  });

  it('403: the token lacks the Content scope', async () => {
    const result = await install([], READ_ONLY);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\(403\): it needs the Content scope set to "modify"/);
    assert.equal(api.templates.length, 0);
    assertClean(result);
  });

  it("422: prints the API's field errors", async () => {
    api.requiredFields = ['name', 'template', 'channel_id'];
    const result = await install();
    assert.equal(result.code, 1);
    assert.match(result.stderr, /rejected the widget template \(422: JSON data is missing or invalid\)/);
    assert.match(result.stderr, /^ {2}channel_id: error\.path\.missing: channel_id is required$/m);
    assertClean(result);
  });

  it('5xx: names the status and suggests a retry', async () => {
    api.failWith = 503;
    const result = await install();
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /failed with HTTP 503: Service Unavailable\. BigCommerce had a problem; try again shortly\./,
    );
    assertClean(result);
  });

  it('404: an unknown store hash', async () => {
    const result = await runCli(['widget', 'install', '--store-hash', 'nosuchstore', '--api-base', api.base], {
      env: { BC_ACCESS_TOKEN: TOKEN },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Not found \(404\).*check --store-hash/);
  });

  it('a network error (closed port) is one clear line', async () => {
    const port = await closedPort();
    const result = await runCli(
      ['widget', 'install', '--store-hash', STORE, '--api-base', `http://127.0.0.1:${port}`],
      { env: { BC_ACCESS_TOKEN: TOKEN } },
    );
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `error: Could not reach http://127.0.0.1:${port}: connection refused (ECONNREFUSED). Check --api-base and the network connection.\n`,
    );
    assertClean(result);
  });

  it('--access-token works, with a shell-history note that does not echo it', async () => {
    const result = await runCli([
      'widget',
      'install',
      '--store-hash',
      STORE,
      '--api-base',
      api.base,
      '--access-token',
      TOKEN,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /shell history; set BC_ACCESS_TOKEN instead/);
    assertClean(result);
  });

  it('a listed template whose uuid is not well-formed text is a clear error, not a crash', async () => {
    const want = expected();
    api.templates.push({
      uuid: '\ud800',
      name: want.name,
      template: 'old',
      schema: want.schema,
      channel_id: 1,
      kind: 'custom',
      date_created: '',
      date_modified: '',
    });
    const result = await install();
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'error: The Widgets API listed a widget template whose "uuid" is not valid text; check --api-base.\n',
    );
    assert.equal(api.writes().length, 0);
  });

  describe('text from the API reaches the terminal escaped', () => {
    // Erase the line, paint a success line in green, retitle the window, hide what follows.
    const FAKE_SUCCESS = '\u001b[2K\r\u001b[32mCreated widget template "x" (ok).\u001b[0m';
    const RETITLE = '\u001b]0;done\u0007';
    const HIDE = '\u001b[8m';

    it('a 422\'s "title" and "errors" (names and problems)', async () => {
      api.failWith = 422;
      api.failBody = {
        status: 422,
        title: `Invalid${FAKE_SUCCESS}`,
        errors: {
          [`name${RETITLE}`]: `bad\nCreated widget template${HIDE}`,
          schema: [`\u009b2J`, { nested: '\u001b[1A' }],
        },
      };
      const result = await install();
      assert.equal(result.code, 1);
      assert.match(result.stderr, /rejected the widget template \(422: Invalid\\u001b\[2K\\u000d\\u001b\[32mCreated/);
      assert.match(result.stderr, /^ {2}name\\u001b\]0;done\\u0007: bad\\u000aCreated widget template\\u001b\[8m$/m);
      assert.doesNotMatch(result.stderr, /^Created/m);
      assertTerminalSafe(result);
      assertClean(result);
    });

    it('another status\'s "title"', async () => {
      api.failWith = 500;
      api.failBody = { status: 500, title: `Oops${RETITLE}\u202e` };
      const result = await install();
      assert.equal(result.code, 1);
      assert.match(result.stderr, /failed with HTTP 500: Oops\\u001b\]0;done\\u0007\\u202e\./);
      assertTerminalSafe(result);
    });

    it('a stored template\'s "uuid", in the result and the duplicates warning', async () => {
      const want = expected();
      for (const uuid of [`uuid-1${HIDE}`, `uuid-2${FAKE_SUCCESS}`]) {
        api.templates.push({
          uuid,
          name: want.name,
          template: want.template,
          schema: want.schema,
          channel_id: 1,
          kind: 'custom',
          date_created: '',
          date_modified: '',
        });
      }
      const result = await install();
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /\(uuid-1\\u001b\[8m\) is already up to date/);
      assert.match(result.stderr, /^warning: 2 widget templates are named/m);
      assertTerminalSafe(result);
    });
  });

  it('usage errors', async () => {
    assertUsageError(
      await runCli(['widget', 'install', '--api-base', api.base], { env: { BC_ACCESS_TOKEN: TOKEN } }),
      /Missing --store-hash/,
    );
    assertUsageError(
      await runCli(['widget', 'install', '--store-hash', STORE]),
      /Missing the access token: set BC_ACCESS_TOKEN/,
    );
    assertUsageError(await install(['--store-hash', '../x']), /--store-hash was given more than once/);
    assertUsageError(
      await runCli(['widget', 'install', '--store-hash', 'a/b'], { env: { BC_ACCESS_TOKEN: TOKEN } }),
      /--store-hash is letters and digits only/,
    );
    assertUsageError(
      await runCli(['widget', 'install', '--store-hash', STORE, '--api-base', 'http://api.example.com'], {
        env: { BC_ACCESS_TOKEN: TOKEN },
      }),
      /--api-base must use https/,
    );
    assertUsageError(await install(['--endpoint', 'not a url']), /--endpoint must be an absolute URL/);
    assertUsageError(await install(['--script-url', 'http://cdn.example.com/x.js']), /--script-url must use https/);
    assertUsageError(await install(['--name', '  ']), /--name must not be empty/);
    for (const bad of ['0', '-1', '1.5', 'abc', '2x', '', '99999999999999999999']) {
      assertUsageError(await install([`--channel-id=${bad}`]), /--channel-id must be a positive whole number/);
    }
    assert.equal(api.requests.length, 0, 'usage errors send nothing');
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
