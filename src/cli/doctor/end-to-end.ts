/**
 * The optional real exchange: a development token, minted with the app's secret for one customer,
 * sent to the endpoint named on the command line. Reports the status and the shape of the answer,
 * never its values, and never the token.
 */
import { mintCustomerToken } from '../../testing/mint.js';
import { exchangeRequest, failureFix, forbiddenBy, shapeOf } from './endpoint.js';
import { attempt } from './http.js';
import { formatBytes, shown, type Check } from './report.js';
import type { DoctorOptions, EndToEnd } from './options.js';

export async function endToEndChecks(
  endpoint: URL,
  origin: string,
  clientId: string,
  e2e: EndToEnd,
  options: Pick<DoctorOptions, 'timeoutMs'>,
): Promise<Check[]> {
  const checks: Check[] = [
    {
      id: 'e2e.warning',
      status: 'warn',
      title: `End to end: sent ${endpoint.href} a token minted with BC_CLIENT_SECRET for customer ${e2e.customerId} on store ${shown(e2e.storeHash, 40)}`,
      fix: "Do this only with a development app's secret: a token signed with a production secret is a real credential for that customer (this one expires in 60 seconds).",
    },
  ];
  const token = await mintCustomerToken({
    clientId,
    clientSecret: e2e.clientSecret,
    storeHash: e2e.storeHash,
    customer: { id: e2e.customerId, email: `customer-${e2e.customerId}@doctor.invalid` },
    expiresIn: 60,
  });
  const label = `End to end from ${origin}`;
  const { answer, failure } = await attempt(endpoint, {
    ...exchangeRequest(origin, token),
    timeoutMs: options.timeoutMs,
    maxBytes: 1024 * 1024,
  });
  if (failure) {
    checks.push({
      id: 'e2e.exchange',
      status: 'fail',
      title: `${label}: ${failure.message}`,
      fix: failureFix(failure, 'endpoint'),
    });
    return checks;
  }
  const type = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const timing = `${answer.ms} ms`;
  if (answer.status === 200 && type === 'application/json') {
    let shape: string;
    try {
      shape = shapeOf(JSON.parse(answer.body));
    } catch {
      checks.push({
        id: 'e2e.exchange',
        status: 'fail',
        title: `${label}: 200 with a body that is not JSON`,
        fix: 'Return data the handler can serialise from authorize.',
      });
      return checks;
    }
    checks.push({
      id: 'e2e.exchange',
      status: 'pass',
      title: `${label}: verified, 200 application/json (${timing})`,
      notes: [`shape: ${shape}`],
    });
  } else if (answer.status === 200) {
    checks.push({
      id: 'e2e.exchange',
      status: 'pass',
      title: `${label}: verified, 200 ${shown(type || 'no type', 40)} (${timing})`,
      notes: [`body: ${formatBytes(Buffer.byteLength(answer.body))}${answer.truncated ? ' or more' : ''}`],
    });
  } else if (answer.status === 403) {
    checks.push(forbiddenCheck(label, forbiddenBy(answer)!, origin, timing));
  } else if (answer.status === 401) {
    let code = '';
    try {
      const body = JSON.parse(answer.body) as { code?: unknown };
      code = typeof body.code === 'string' ? body.code : '';
    } catch {
      // no code
    }
    checks.push({
      id: 'e2e.exchange',
      status: 'fail',
      title: `${label}: token refused (401, code ${shown(code || 'none', 40)})`,
      fix: endToEndFix(code, clientId, e2e),
    });
  } else {
    checks.push({
      id: 'e2e.exchange',
      status: 'fail',
      title: `${label}: answered ${answer.status}${type ? ` ${shown(type, 40)}` : ''} (${timing})`,
      fix:
        answer.status >= 500
          ? "Read the app's logs (the handler's onError): it answers 500 when authorize throws or a secret, stores or origins is missing."
          : 'Check that --endpoint is the route where createCustomerGateHandler runs; a healthy endpoint answers 200, 401 or 403.',
    });
  }
  return checks;
}

/** A 403 is three different things: only an `authorize` denial means the token verified. */
function forbiddenCheck(label: string, by: 'origin' | 'authorize' | 'other', origin: string, timing: string): Check {
  if (by === 'authorize') {
    return {
      id: 'e2e.exchange',
      status: 'pass',
      title: `${label}: verified, then denied by authorize (403) for this customer (${timing})`,
    };
  }
  if (by === 'origin') {
    return {
      id: 'e2e.exchange',
      status: 'fail',
      title: `${label}: origin refused (403, ${timing}); the token was not checked`,
      fix: `Add ${origin} to the handler's origins option. The handler refuses an origin before it reads the token, so the secret, client ID and store are still unchecked: run again once the origin is allowed.`,
    };
  }
  return {
    id: 'e2e.exchange',
    status: 'fail',
    title: `${label}: 403 that is not the handler's answer (${timing}); the token was not checked`,
    fix: 'Something in front of the handler refuses the request (a firewall, bot protection or an access rule); let POSTs from browsers through to the endpoint.',
  };
}

function endToEndFix(code: string, clientId: string, e2e: EndToEnd): string {
  switch (code) {
    case 'audience':
      return `The endpoint verifies tokens for another client ID than ${shown(clientId, 60)}: make the gates' client-id and the handler's clientId the same app.`;
    case 'signature':
      return 'BC_CLIENT_SECRET is not the secret the endpoint verifies with: use the client secret of the app whose client ID the gates use.';
    case 'store':
      return `The endpoint's stores option does not include ${shown(e2e.storeHash, 40)}: add the store hash, or pass the --store the app serves.`;
    case 'expired':
    case 'not_yet_valid':
      return "The endpoint's clock is off by more than its tolerance: sync it with NTP.";
    default:
      return 'Run bc-customer-gate verify on a token from the storefront for a detailed diagnosis.';
  }
}
