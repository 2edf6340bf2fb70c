/**
 * An app's client ID and client secret (or several secrets while rotating), read from options the
 * same way by every verifier in the package: the customer token's and the callbacks' signed payload.
 */
export interface AppCredentials {
  clientId: string;
  secrets: string[];
}

export function readAppCredentials(clientId: unknown, clientSecret: unknown): AppCredentials {
  if (typeof clientId !== 'string' || clientId === '') {
    throw new TypeError('bc-customer-gate: "clientId" must be your app\'s client ID (a non-empty string).');
  }
  const secrets =
    typeof clientSecret === 'string' ? [clientSecret] : Array.isArray(clientSecret) ? [...clientSecret] : [];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError(
      'bc-customer-gate: "clientSecret" must be your app\'s client secret (a non-empty string), ' +
        'or a list of them while rotating. Read it from an environment variable.',
    );
  }
  return { clientId, secrets };
}
