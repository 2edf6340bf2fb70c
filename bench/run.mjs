// `npm run bench`: every benchmark in one run, side by side, printed as ratios (absolute figures
// drift on a shared machine; ratios measured in the same run hold) and saved to out/bench.json.
//
//   node bench/run.mjs [verify] [endpoint] [store] [page] [layout] [--quick]
//
// With no section named, all run. --quick shortens every section, for trying the harness only.
// Exits non-zero on a genuine error (a valid token refused, a non-2xx answer, a page that does not
// reveal its content), never because something was slow.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { BenchError, fmtInt, machine, makeSecret, mintPool, ratio } from './common.mjs';
import { benchEndpoint } from './endpoint.mjs';
import { benchLayout } from './layout.mjs';
import { benchPage, benchSize } from './page.mjs';
import { benchStore } from './store.mjs';
import { benchVerify } from './verify.mjs';

const WATCHDOG_MS = 10 * 60_000;
const POOL_SIZE = 10_000;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((a) => !a.startsWith('--'));
const wanted = (section) => named.length === 0 || named.includes(section);
const log = (line) => console.log(line);

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 60_000} minutes; stopping.`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

async function main() {
  const started = Date.now();
  const host = machine();
  log(`Machine: ${host.cpu}, ${host.cores} cores, ${host.memoryGiB} GiB, Node ${host.node}, ${host.platform}`);
  log(`Load average at start: ${host.loadAverage.join(' / ')} (1/5/15 min)`);
  if (host.cores <= 2) log('Note: on 2 cores the load generator and the server under test compete for the CPU.');

  // Read now: the build output on disk may be replaced while the run goes on.
  const bundle = readFileSync(new URL('../dist/cdn/bc-customer-gate.js', import.meta.url));
  const secret = makeSecret();
  const results = { machine: host, startedAt: new Date(started).toISOString(), quick };

  log(`\nMinting ${fmtInt(POOL_SIZE)} distinct tokens...`);
  const pool = await mintPool(secret, POOL_SIZE);

  if (wanted('verify')) {
    log('Token verification...');
    results.verify = await benchVerify({ secret, pool, rounds: quick ? 1 : 3, warmup: quick ? 500 : 2000, log });
  }
  if (wanted('endpoint')) {
    log('Exchange endpoint under load...');
    results.endpoint = await benchEndpoint({
      secret,
      pool,
      rounds: quick ? 1 : 3,
      seconds: quick ? 2 : 5,
      warmupSeconds: 1,
      log,
    });
  }
  if (wanted('store')) {
    log('Store API: calls per page view and exchange latency...');
    results.store = await benchStore({ secret, rounds: quick ? 2 : 4, views: quick ? 200 : 1000, log });
  }
  if (wanted('page')) {
    log('Bundle size...');
    results.size = await benchSize(bundle);
    log('Pages in Chromium...');
    results.page = await benchPage({ secret, bundle, loads: quick ? 3 : 15, log });
  }
  if (wanted('layout')) {
    log('Layout shift of the demo pages in Chromium...');
    results.layout = await benchLayout({ loads: quick ? 1 : 3, log });
  }
  results.seconds = Math.round((Date.now() - started) / 1000);
  results.targets = targets(results);

  log('');
  log(report(results));
  mkdirSync(new URL('../out/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../out/bench.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  log(`\nSaved out/bench.json (${results.seconds} s).`);
}

function byId(list, id) {
  return list?.find((r) => r.id === id);
}

/** Each target as a ratio measured in this run, and whether it was met. */
function targets(r) {
  const list = [];
  const v = r.verify?.results;
  if (v) {
    const value = ratio(byId(v, 'package').concurrent, byId(v, 'fastJwt').concurrent);
    list.push({
      id: 'verify',
      name: 'verification, 64 in flight, vs fast-jwt',
      goal: '>= 0.5x',
      value: `${value}x`,
      met: value >= 0.5,
    });
  }
  const e = r.endpoint?.results;
  if (e) {
    const vsCeiling = ratio(byId(e, 'package').rps, byId(e, 'bare').rps);
    const vsExpress = ratio(byId(e, 'package').rps, byId(e, 'express').rps);
    list.push({
      id: 'endpointCeiling',
      name: 'endpoint vs bare node:http ceiling',
      goal: '>= 0.6x',
      value: `${vsCeiling}x`,
      met: vsCeiling >= 0.6,
    });
    list.push({
      id: 'endpointExpress',
      name: 'endpoint vs Express + jsonwebtoken',
      goal: '>= 10x',
      value: `${vsExpress}x`,
      met: vsExpress >= 10,
    });
  }
  const s = r.store;
  if (s) {
    const fewer = ratio(s.calls.cacheOff, s.calls.cacheOn);
    list.push({
      id: 'storeCalls',
      name: `store API calls per ${fmtInt(s.views)} views, cache off vs on`,
      goal: '>= 10x fewer',
      value: `${fewer}x`,
      met: fewer >= 10,
    });
    const warm = ratio(s.latency.warm.p50, s.latency.fixture.p50);
    list.push({
      id: 'storeWarm',
      name: 'warm exchange p50 vs a fixture answer',
      goal: '<= 1.1x',
      value: `${warm}x`,
      met: warm <= 1.1,
    });
  }
  const p = r.page;
  if (p) {
    for (const id of ['signedIn1', 'signedIn10']) {
      const row = byId(p.results, id);
      const over = Math.round((row.revealMs - p.floorMs) * 10) / 10;
      list.push({
        id: `reveal-${id}`,
        name: `reveal, ${row.gates} gate${row.gates > 1 ? 's' : ''}, over the ${p.floorMs} ms floor`,
        goal: '<= +25 ms',
        value: `${over >= 0 ? '+' : ''}${over} ms`,
        met: over <= 25,
      });
    }
  }
  if (r.layout) {
    const worst = Math.max(...r.layout.results.map((x) => x.with));
    list.push({
      id: 'cls',
      name: 'demo pages, worst CLS with the layout rules',
      goal: '< 0.1 (good)',
      value: worst.toFixed(3),
      met: worst < 0.1,
    });
  }
  if (r.size) {
    list.push({
      id: 'bundle',
      name: 'CDN bundle, gzip',
      goal: '<= 6,500 B',
      value: `${fmtInt(r.size.bundle.gzip)} B`,
      met: r.size.bundle.gzip <= 6500,
    });
  }
  return list;
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

const x = (value) => (value === null ? '-' : `${value.toFixed(2)}x`);

function report(r) {
  const out = [];
  if (r.verify) {
    const { results: v, tokens, rounds, inFlight } = r.verify;
    const floor = byId(v, 'floor');
    const fast = byId(v, 'fastJwt');
    out.push(
      `Token verification: ${fmtInt(tokens)} distinct valid tokens per pass, median of ${rounds} rounds (tokens/s)`,
    );
    out.push(
      table(
        ['verifier', 'one at a time', 'x floor', `${inFlight} in flight`, 'x floor', 'x fast-jwt'],
        v.map((c) => [
          c.name,
          fmtInt(c.sequential),
          x(ratio(c.sequential, floor.sequential)),
          fmtInt(c.concurrent),
          x(ratio(c.concurrent, floor.concurrent)),
          x(ratio(c.concurrent, fast.concurrent)),
        ]),
      ),
    );
    out.push('');
  }
  if (r.endpoint) {
    const { results: e, connections, seconds, rounds } = r.endpoint;
    const bare = byId(e, 'bare');
    const express = byId(e, 'express');
    out.push(
      `Exchange endpoint over loopback: ${connections} connections, ${seconds} s after a warm-up, median of ${rounds} rounds; zero non-2xx answers`,
    );
    out.push(
      table(
        ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'x ceiling', 'x Express', 'server CPU us/req'],
        e.map((t) => [
          t.name,
          fmtInt(t.rps),
          t.p50,
          t.p99,
          x(ratio(t.rps, bare.rps)),
          x(ratio(t.rps, express.rps)),
          t.cpuMicrosPerRequest.toFixed(0),
        ]),
      ),
    );
    out.push('');
  }
  if (r.store) {
    const s = r.store;
    out.push(
      `Store API (mock at ${s.latencyMs} ms per answer): ${fmtInt(s.views)} signed-in page views by ${s.shoppers} shoppers, ${s.inFlight} exchanges in flight`,
    );
    out.push(
      table(
        ['cache', 'store API calls', `per 1,000 views`, 'calls per view'],
        [
          [
            'on (60 s TTL)',
            s.calls.cacheOn,
            fmtInt((s.calls.cacheOn * 1000) / s.views),
            (s.calls.cacheOn / s.views).toFixed(2),
          ],
          [
            'off',
            s.calls.cacheOff,
            fmtInt((s.calls.cacheOff * 1000) / s.views),
            (s.calls.cacheOff / s.views).toFixed(2),
          ],
        ],
      ),
    );
    out.push('');
    out.push(`Exchange latency over loopback (ms), ${s.rounds} interleaved rounds pooled`);
    const fixture = s.latency.fixture;
    out.push(
      table(
        ['exchange', 'answers', 'p50', 'p95', 'p50 x fixture', 'p95 x fixture'],
        [
          ['cold: cache miss, store API called', s.latency.cold],
          ['warm: cache hit', s.latency.warm],
          ['fixture answer, no store API', fixture],
        ].map(([name, l]) => [name, l.count, l.p50, l.p95, x(ratio(l.p50, fixture.p50)), x(ratio(l.p95, fixture.p95))]),
      ),
    );
    out.push('');
  }
  if (r.size) {
    const { bundle, litAlone, reactiveAlone } = r.size;
    out.push('CDN bundle (bytes)');
    out.push(
      table(
        ['file', 'minified', 'gzip', 'brotli'],
        [
          ['dist/cdn/bc-customer-gate.js', fmtInt(bundle.minified), fmtInt(bundle.gzip), fmtInt(bundle.brotli)],
          [
            'a minimal LitElement (lit-html), same build',
            fmtInt(litAlone.minified),
            fmtInt(litAlone.gzip),
            fmtInt(litAlone.brotli),
          ],
          [
            'a minimal ReactiveElement, same build',
            fmtInt(reactiveAlone.minified),
            fmtInt(reactiveAlone.gzip),
            fmtInt(reactiveAlone.brotli),
          ],
          [
            "the element's own code (over ReactiveElement)",
            fmtInt(bundle.minified - reactiveAlone.minified),
            fmtInt(r.size.ownGzip),
            fmtInt(r.size.ownBrotli),
          ],
        ],
      ),
    );
    out.push('');
  }
  if (r.layout) {
    const l = r.layout;
    out.push(
      `Cumulative Layout Shift, demo pages, signed in, Chromium ${l.chromium}, token route delayed ${l.delayMs} ms (worst of ${l.loads})`,
    );
    out.push(
      table(
        ['page', 'without the layout rules', 'with them'],
        l.results.map((x) => [x.page, x.without.toFixed(3), x.with.toFixed(3)]),
      ),
    );
    out.push('');
  }
  if (r.page) {
    const p = r.page;
    out.push(
      `Page in headless Chromium ${p.chromium}: ${p.delayMs} ms added to every token and exchange answer; floor ${p.floorMs} ms`,
    );
    const raw = byId(p.results, 'raw');
    const over = (ms, floor) => `${ms - floor >= 0 ? '+' : ''}${(ms - floor).toFixed(1)}`;
    out.push(
      table(
        [
          'page',
          'requests',
          'gate requests',
          'reveal ms (median)',
          'fastest',
          `over ${p.floorMs} ms`,
          'over two plain fetches',
        ],
        p.results.map((s) => {
          const signedIn = !s.id.startsWith('guest');
          return [
            s.name,
            s.requests.total,
            s.requests.gate,
            s.revealMs.toFixed(1),
            s.bestMs.toFixed(1),
            signedIn ? over(s.revealMs, p.floorMs) : '-',
            signedIn && s.id !== 'raw' ? over(s.revealMs, raw.revealMs) : '-',
          ];
        }),
      ),
    );
    const split = p.results.filter((s) => s.breakdown);
    out.push('');
    out.push(
      'Where the time went (medians, ms): mark to first fetch() call, token request, page work between, exchange request, last byte to reveal',
    );
    out.push(
      table(
        ['page', 'to first call', 'token', 'between', 'exchange', 'to reveal'],
        split.map((s) => [
          s.name,
          ...['toFirstCall', 'token', 'between', 'exchange', 'toReveal'].map((k) => s.breakdown[k].toFixed(1)),
        ]),
      ),
    );
    out.push('');
  }
  if (r.targets.length) {
    out.push('Targets');
    out.push(
      table(
        ['target', 'goal', 'measured', 'met'],
        r.targets.map((t) => [t.name, t.goal, t.value, t.met ? 'yes' : 'NO']),
      ),
    );
  }
  return out.join('\n');
}

main().then(
  () => process.exit(0),
  (error) => {
    if (error instanceof BenchError) console.error(`\nbench: ${error.message}`);
    else console.error('\nbench: failed:', error);
    process.exit(1);
  },
);
