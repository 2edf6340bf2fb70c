import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import {
  ALGORITHMS,
  DEFAULT_TOKEN_URL,
  ISSUER,
  OPERATION,
  TOKEN_LIFETIME_SECONDS,
  type TokenErrorCode,
} from '../protocol.js';
import { humanDuration, isoTime, quoteList } from './format.js';

export interface DiagnosisContext {
  code: TokenErrorCode;
  header: ProtectedHeaderParameters | undefined;
  payload: JWTPayload | undefined;
  clientId: string;
  /** The stores passed with --store, or undefined when the token's own store was accepted. */
  stores: readonly string[] | undefined;
  algorithms: readonly string[];
  clockTolerance: number;
  /** Seconds since the epoch. */
  now: number;
  /** The raw input, only inspected for its shape, never printed. */
  input: string;
}

export interface Diagnosis {
  /** What to change, one sentence or two. */
  fix: string;
  /** What the CLI could tell from the decoded token, most telling first. */
  notes: string[];
}

/**
 * Explains a rejection from what the token itself says. The verifier's code names the check that
 * failed; the decoded (unverified) header and claims say why, which a server cannot print to a
 * shopper but a developer at a terminal can read.
 */
export function diagnose(ctx: DiagnosisContext): Diagnosis {
  const notes: string[] = [];
  const { payload, clientId } = ctx;
  const tokenUrl = `${DEFAULT_TOKEN_URL}?app_client_id=${clientId}`;

  // Named only when its operation says so: a token whose "iss" is the client ID but whose operation
  // is current_customer is a wrong issuer, and the "issuer" diagnosis below says so.
  if (payload?.['operation'] === 'customer_login') {
    notes.push(
      'This is a Customer Login token (operation "customer_login"): ' +
        'your app signs those to sign a shopper in through /login/token/<jwt>. It is the other direction.',
    );
    return { fix: `Use a Current Customer token, fetched on the storefront from ${tokenUrl}.`, notes };
  }

  switch (ctx.code) {
    case 'malformed':
    case 'too_large':
      return malformed(ctx, tokenUrl);
    case 'algorithm':
      return algorithm(ctx);
    case 'signature': {
      const signature = ctx.input.split('.')[2] ?? '';
      if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) {
        notes.push(
          'Its signature is not canonical base64url (a character was changed or dropped): the token was altered.',
        );
        return { fix: `Pass the token exactly as ${tokenUrl} returned it.`, notes };
      }
      if (!payload) {
        notes.push(
          'Its payload does not decode: the token was cut short or altered, which alone breaks the signature.',
        );
        return { fix: `Pass the token exactly as ${tokenUrl} returned it.`, notes };
      }
      const aud = audienceOf(payload);
      if (aud !== undefined && !aud.includes(clientId)) {
        notes.push(
          `The token's "aud" is ${quoteList(aud)}, not --client-id "${clientId}": it was requested for another app, ` +
            "and that app's secret signed it.",
        );
        return { fix: 'Verify with the client ID and client secret of the app that requested the token.', notes };
      }
      notes.push(
        'The token names your client ID, so the secret is the likely culprit: it must be the client secret of that ' +
          'app (not its access token or client ID). After a rotation, tokens may still be signed with the previous secret.',
      );
      return { fix: 'Pass the client secret of the app whose client ID is in the token\'s "aud".', notes };
    }
    case 'expired':
      return expired(ctx);
    case 'not_yet_valid':
      return notYetValid(ctx);
    case 'audience': {
      const aud = audienceOf(payload);
      notes.push(
        aud === undefined
          ? 'The token has no "aud" claim; every Current Customer token carries the client ID there.'
          : `The token's "aud" is ${quoteList(aud)} but --client-id is "${clientId}": the storefront requested it with another app_client_id.`,
      );
      return {
        fix: `Request the token from ${tokenUrl}, or verify with the client ID and secret of the app that requested it.`,
        notes,
      };
    }
    case 'issuer':
      notes.push(
        `The token's "iss" is ${JSON.stringify(payload?.iss ?? null)}; Current Customer tokens say "${ISSUER}".`,
      );
      return {
        fix: `Use a token from ${tokenUrl}; this one was not issued by BigCommerce's Current Customer endpoint.`,
        notes,
      };
    case 'operation':
      notes.push(`The token's "operation" is ${JSON.stringify(payload?.['operation'] ?? null)}, not "${OPERATION}".`);
      return { fix: `Use a token from ${tokenUrl}.`, notes };
    case 'store':
      return store(ctx);
    case 'claims':
      return {
        fix: 'The token lacks a claim every Current Customer token has (see above): it did not come from /customer/current.jwt, or it was altered.',
        notes,
      };
  }
}

function audienceOf(payload: JWTPayload | undefined): string[] | undefined {
  const aud = payload?.aud;
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.map(String);
  return undefined;
}

function malformed(ctx: DiagnosisContext, tokenUrl: string): Diagnosis {
  const notes: string[] = [];
  const input = ctx.input.trim();
  if (input.startsWith('{')) {
    notes.push('The input is JSON: the storefront answered with {"token": "..."}; pass the value of "token".');
  } else if (/^bearer\s/i.test(input)) {
    notes.push('The input starts with "Bearer "; pass the token alone.');
  } else if (ctx.input !== input) {
    notes.push('The input has whitespace around it (a copied line break?); the server must get the token exactly.');
  } else if (input.split('.').length === 3 && !ctx.payload) {
    notes.push(
      'It has three parts, but its header or payload is not base64url-encoded JSON: it was cut short or altered.',
    );
  }
  if (ctx.code === 'too_large') notes.push('Current Customer tokens are about 500 characters long.');
  return { fix: `Pass exactly the body that ${tokenUrl} returned: a JWT of three base64url parts.`, notes };
}

function algorithm(ctx: DiagnosisContext): Diagnosis {
  const alg = ctx.header?.alg;
  const allowed = ctx.algorithms;
  if (alg && (ALGORITHMS as readonly string[]).includes(alg)) {
    return {
      fix: `Allow ${alg} too: BigCommerce signs real tokens with HS512 (its docs show HS256); accept both, the default.`,
      notes: [
        `The token is signed with ${alg}, but only ${allowed.join(' and ')} ${allowed.length === 1 ? 'is' : 'are'} allowed (--algorithm).`,
      ],
    };
  }
  if (alg === undefined || alg.toLowerCase() === 'none') {
    return {
      fix: 'Refuse it: an unsigned token proves nothing. Fetch a real one from the storefront.',
      notes: ['The token is unsigned ("alg": "none").'],
    };
  }
  return {
    fix: "Fetch the token from /customer/current.jwt; BigCommerce signs it with the app's client secret (HS256 or HS512).",
    notes: [
      `The token is signed with ${alg}, which is not an HMAC algorithm BigCommerce uses; it did not come from the Current Customer endpoint.`,
    ],
  };
}

function expired(ctx: DiagnosisContext): Diagnosis {
  const { payload, now } = ctx;
  const notes: string[] = [];
  const exp = typeof payload?.exp === 'number' ? payload.exp : undefined;
  const iat = typeof payload?.iat === 'number' ? payload.iat : undefined;
  if (exp !== undefined && exp <= now) {
    notes.push(
      `It expired ${humanDuration(now - exp)} ago, at ${isoTime(exp)} (this machine's clock reads ${isoTime(now)}).`,
    );
  } else if (iat !== undefined) {
    notes.push(
      `It was issued ${humanDuration(now - iat)} ago, at ${isoTime(iat)}: older than the ${humanDuration(TOKEN_LIFETIME_SECONDS)} ` +
        'a Current Customer token lives, although its "exp" has not passed.',
    );
  }
  if (exp !== undefined && iat !== undefined && exp - iat !== TOKEN_LIFETIME_SECONDS) {
    notes.push(
      `Its lifetime ("exp" - "iat") is ${humanDuration(exp - iat)}; BigCommerce issues them for ${humanDuration(TOKEN_LIFETIME_SECONDS)}.`,
    );
  }
  return {
    fix: `Fetch a fresh token: they last ${humanDuration(TOKEN_LIFETIME_SECONDS)}. If it is fresh, this machine's clock is ahead; sync it (NTP).`,
    notes,
  };
}

function notYetValid(ctx: DiagnosisContext): Diagnosis {
  const { payload, now, clockTolerance } = ctx;
  const notes: string[] = [];
  for (const claim of ['iat', 'nbf'] as const) {
    const at = payload?.[claim];
    if (typeof at === 'number' && at > now) {
      notes.push(
        `Its "${claim}" is ${humanDuration(at - now)} in the future (${isoTime(at)}; this machine reads ${isoTime(now)}; ` +
          `tolerance ${humanDuration(clockTolerance)}): the clocks differ by about ${humanDuration(at - now)}.`,
      );
      break;
    }
  }
  return {
    fix: "Sync this machine's clock (NTP); a server a few minutes behind refuses fresh tokens. --clock-tolerance widens the margin.",
    notes,
  };
}

function store(ctx: DiagnosisContext): Diagnosis {
  const { payload, stores } = ctx;
  const storeHash = payload?.['store_hash'];
  if (payload && payload.sub !== storeHash) {
    return {
      fix: 'Refuse it: BigCommerce sets "sub" to the store hash, so this token was not issued by the Current Customer endpoint.',
      notes: [
        `The token's "sub" is ${JSON.stringify(payload.sub ?? null)} but its "store_hash" is ${JSON.stringify(storeHash ?? null)}.`,
      ],
    };
  }
  return {
    fix:
      `If this app serves store "${String(storeHash)}", add --store ${String(storeHash)} (and the same to your server's "stores" option); ` +
      'otherwise the token is from another store and must be refused.',
    notes: [
      `The token is for store ${JSON.stringify(storeHash ?? null)}; --store allows ${stores && stores.length > 0 ? quoteList(stores) : 'none'}.`,
    ],
  };
}
