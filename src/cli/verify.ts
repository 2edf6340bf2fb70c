import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { isSignedPayloadError, type SignedPayloadErrorCode, verifySignedPayload } from '../bigcommerce/index.js';
import { ALGORITHMS, type Algorithm } from '../protocol.js';
import { createVerifier, isCustomerTokenError } from '../server/index.js';
import { integer, type ParsedValues, required, UsageError } from './args.js';
import type { Command } from './command.js';
import { diagnose } from './diagnose.js';
import { terminalSafe } from '../terminal.js';
import { indent, isoTime, relativeTime } from './format.js';
import type { Io } from './io.js';

export const summary =
  "Decode a Current Customer token (or a callback's signed payload) and say whether, and why not, it verifies.";

export const usage = 'bc-customer-gate verify <token|-> --client-id ID [--store HASH]... [options]';

export const help = `Usage: ${usage}

${summary}

Prints the token's header and claims (decoded without checking anything, so
labelled "unverified"), then the verdict of the same verifier your server runs
(createVerifier from bc-customer-gate/server). For a refused token it names the
check that failed and what to fix.

Arguments:
  <token>                 The JWT from /customer/current.jwt, or - to read it from stdin.

Options:
  --client-id ID          Your app's client ID (the token's "aud"). Or set BC_CLIENT_ID.
  --secret SECRET         Your app's client secret. Prefer setting BC_CLIENT_SECRET:
                          a secret on the command line lands in shell history.
                          Repeat to try several (during a rotation).
  --store HASH            A store hash your app serves. Repeat for several. Without it
                          the token's own store is accepted, with a warning: a server
                          must always pin its stores.
  --algorithm ALG         Allow only HS256 or HS512 (repeatable). Default: both.
  --clock-tolerance SECS  Clock skew tolerated on "exp" and "iat". Default: 30.
  -h, --help              Show this help.

Exit status: 0 valid, 1 refused, 2 usage error.

Example:
  export BC_CLIENT_SECRET=...   # from the app's page in the Developer Portal
  bc-customer-gate verify "$TOKEN" --client-id abc123clientid --store abc123
`;

const options = {
  'client-id': { type: 'string' },
  secret: { type: 'string', multiple: true },
  store: { type: 'string', multiple: true },
  algorithm: { type: 'string', multiple: true },
  'clock-tolerance': { type: 'string' },
} as const;

const MAX_DECODE_LENGTH = 64 * 1024;

export const command: Command<typeof options> = {
  summary,
  usage,
  help,
  options,
  positionals: {
    min: 1,
    max: 1,
    missing: 'Missing <token> (pass - to read it from stdin).',
    extra: 'Too many arguments: verify takes one token.',
  },
  run: runVerify,
};

async function runVerify(values: ParsedValues<typeof options>, positionals: string[], io: Io): Promise<number> {
  const clientId = required(values['client-id'], '--client-id', io.env['BC_CLIENT_ID'], 'BC_CLIENT_ID');
  const envSecret = io.env['BC_CLIENT_SECRET'];
  const secrets = values.secret ?? (envSecret ? [envSecret] : []);
  if (secrets.length === 0) throw new UsageError('Missing the client secret: set BC_CLIENT_SECRET (or pass --secret).');
  if (secrets.some((s) => s === '')) throw new UsageError('--secret must not be empty.');
  const algorithms = readAlgorithms(values.algorithm);
  const clockTolerance = integer(values['clock-tolerance'], '--clock-tolerance', { min: 0, max: 86_400 }) ?? 30;
  const stores = values.store;
  if (stores?.some((s) => s === '')) throw new UsageError('--store must not be empty.');

  const input = positionals[0] === '-' ? await readToken(io) : positionals[0]!;
  if (values.secret) {
    io.stderr('note: a secret passed with --secret is saved in your shell history; set BC_CLIENT_SECRET instead.\n');
  }

  const decoded = decode(input);
  io.stdout(describeDecoded(decoded));
  if (isSignedPayload(decoded.payload)) {
    return verifyCallbackPayload(input, { clientId, secrets, stores, clockTolerance }, io);
  }

  const tokenStore = typeof decoded.payload?.['store_hash'] === 'string' ? decoded.payload['store_hash'] : undefined;
  if (!stores) {
    io.stderr(
      `warning: no --store given, so the token's own store${tokenStore ? ` "${terminalSafe(tokenStore)}"` : ''} is accepted here. ` +
        'A server must pin its stores (the "stores" option): one client secret signs tokens for every store that uses the app.\n',
    );
  }

  const now = Date.now();
  const verify = createVerifier({
    clientId,
    clientSecret: secrets,
    stores: stores ?? ((hash: string) => hash === tokenStore),
    algorithms,
    clockTolerance,
    now: () => now,
  });

  try {
    const verified = await verify(input);
    const { customer } = verified;
    const nowSeconds = now / 1000;
    // Verified means signed with the secret, not harmless: a signed claim is still text from outside.
    const group = customer.groupId === null ? ' (no group)' : ` (group ${terminalSafe(customer.groupId)})`;
    io.stdout(
      '\nVALID: a Current Customer token for this app.\n' +
        `  customer  ${customer.id} ${terminalSafe(customer.email)}${group}\n` +
        `  store     ${terminalSafe(verified.storeHash)}\n` +
        `  expires   ${relativeTime(verified.expiresAt, nowSeconds)} (${isoTime(verified.expiresAt)})\n`,
    );
    return 0;
  } catch (error) {
    if (!isCustomerTokenError(error)) throw error;
    const diagnosis = diagnose({
      code: error.code,
      header: decoded.header,
      payload: decoded.payload,
      clientId,
      stores,
      algorithms,
      clockTolerance,
      now: Math.floor(now / 1000),
      input,
    });
    // The message and the diagnosis quote the token's claims (a store hash, an "alg"): escape them.
    let text = `\nREFUSED: check "${error.code}" failed.\n  ${terminalSafe(error.message)}\n`;
    if (diagnosis.notes.length > 0)
      text += `\nDiagnosis:\n${diagnosis.notes.map((n) => `  - ${terminalSafe(n)}`).join('\n')}\n`;
    text += `\nFix: ${terminalSafe(diagnosis.fix)}\n`;
    io.stdout(text);
    return 1;
  }
}

/**
 * A load, uninstall or remove-user callback's `signed_payload_jwt` ("iss" "bc", "sub" "stores/…"):
 * pasted here often enough, since it is the other JWT an app receives from BigCommerce.
 */
function isSignedPayload(payload: JWTPayload | undefined): boolean {
  return payload?.iss === 'bc' && typeof payload.sub === 'string' && payload.sub.startsWith('stores/');
}

interface CallbackCheck {
  clientId: string;
  secrets: string[];
  stores: string[] | undefined;
  clockTolerance: number;
}

const CALLBACK_FIX = 'Pass the callback\'s "signed_payload_jwt" query parameter exactly as BigCommerce sent it.';
const CALLBACK_FIXES: Partial<Record<SignedPayloadErrorCode, string>> = {
  signature: 'Use the client secret of the app whose client ID you passed (BC_CLIENT_SECRET).',
  audience: 'Pass the client ID of the app the callback was sent to (--client-id or BC_CLIENT_ID).',
  expired: 'A callback payload lasts minutes: open the app in the control panel again for a fresh one.',
};

async function verifyCallbackPayload(input: string, check: CallbackCheck, io: Io): Promise<number> {
  const { clientId, secrets, stores, clockTolerance } = check;
  io.stdout(
    '\nThis is a signed payload from an app callback (load, uninstall or remove user), not a Current ' +
      'Customer token. Checked as one (verifySignedPayload from bc-customer-gate/bigcommerce).\n',
  );
  try {
    const payload = await verifySignedPayload(input, { clientId, clientSecret: secrets, clockTolerance });
    if (stores && !stores.includes(payload.storeHash)) {
      io.stdout(
        `\nREFUSED: its store "${terminalSafe(payload.storeHash)}" is not among --store ${stores.map((s) => `"${terminalSafe(s)}"`).join(', ')}.\n`,
      );
      return 1;
    }
    const channel = payload.channelId === undefined ? '' : `\n  channel   ${payload.channelId}`;
    const url = payload.url === undefined ? '' : `\n  url       ${terminalSafe(payload.url)}`;
    io.stdout(
      '\nVALID: a signed payload for this app.\n' +
        `  store     ${terminalSafe(payload.storeHash)}\n` +
        `  user      ${payload.user.id} ${terminalSafe(payload.user.email)}\n` +
        `  owner     ${payload.owner.id} ${terminalSafe(payload.owner.email)}${channel}${url}\n` +
        `  expires   ${relativeTime(payload.expiresAt, Date.now() / 1000)} (${isoTime(payload.expiresAt)})\n`,
    );
    return 0;
  } catch (error) {
    if (!isSignedPayloadError(error)) throw error;
    io.stdout(
      `\nREFUSED: check "${error.code}" failed.\n  ${terminalSafe(error.message)}\n\nFix: ${CALLBACK_FIXES[error.code] ?? CALLBACK_FIX}\n`,
    );
    return 1;
  }
}

function readAlgorithms(list: string[] | undefined): Algorithm[] {
  if (!list) return [...ALGORITHMS];
  for (const alg of list) {
    if (!(ALGORITHMS as readonly string[]).includes(alg)) {
      throw new UsageError(`--algorithm must be ${ALGORITHMS.join(' or ')}.`);
    }
  }
  return [...new Set(list as Algorithm[])];
}

async function readToken(io: Io): Promise<string> {
  // One trailing newline comes from `echo` or a file; anything more is left for the verifier to flag.
  const text = (await io.readStdin()).replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('No token on stdin.');
  return text;
}

interface Decoded {
  header: ProtectedHeaderParameters | undefined;
  payload: JWTPayload | undefined;
  problem: string | undefined;
}

function decode(token: string): Decoded {
  if (token.length > MAX_DECODE_LENGTH) return { header: undefined, payload: undefined, problem: 'too long to decode' };
  let header: ProtectedHeaderParameters | undefined;
  let payload: JWTPayload | undefined;
  // A compact JWT is header.payload.signature (RFC 7519 section 7.2); five parts is an encrypted JWE.
  const parts = token.split('.').length;
  if (parts === 2) {
    // Decoded all the same, so the person sees which token it is; the verdict names the missing part.
    const shown = decode(`${token}.`);
    return {
      ...shown,
      problem:
        'it has two dot-separated parts, and a JWT has three (header.payload.signature): the signature is missing',
    };
  }
  if (parts !== 3) {
    return {
      header,
      payload,
      problem:
        parts === 5
          ? 'it has five dot-separated parts: an encrypted token (JWE), where a signed JWT has three'
          : `it has ${parts === 1 ? 'one part (no dots)' : `${parts} dot-separated parts`}, and a JWT has three (header.payload.signature)`,
    };
  }
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { header, payload, problem: 'its header is not base64url-encoded JSON' };
  }
  try {
    payload = decodeJwt(token);
  } catch {
    return { header, payload, problem: 'its payload is not a base64url-encoded JSON object' };
  }
  return { header, payload, problem: undefined };
}

/** Pretty JSON of decoded token parts: JSON escapes C0 controls in strings, but not C1, DEL or bidi. */
function printableJson(value: unknown): string {
  return terminalSafe(indent(JSON.stringify(value, null, 2)), { keepNewlines: true });
}

function describeDecoded({ header, payload, problem }: Decoded): string {
  let text = '';
  if (header) text += `Header (unverified):\n${printableJson(header)}\n`;
  if (payload) {
    text += `Claims (unverified: decoded, not yet checked):\n${printableJson(payload)}\n`;
    const now = Date.now() / 1000;
    const times = (['iat', 'nbf', 'exp'] as const).filter((claim) => typeof payload[claim] === 'number');
    if (times.length > 0) {
      for (const claim of times) {
        text += `  ${claim}: ${isoTime(payload[claim]!)} (${relativeTime(payload[claim]!, now)})\n`;
      }
    }
  }
  if (problem) text += `${header ? 'Not a complete JWT' : 'Could not decode the token'}: ${problem}.\n`;
  return text;
}
