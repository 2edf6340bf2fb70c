/**
 * The page's Content-Security-Policy against what the element needs: run the script that loads it,
 * connect to the token route and the endpoint, create its Trusted Types policies, and (a warning)
 * apply the inline pre-upgrade style rule.
 */
import {
  allowsTrustedTypesPolicy,
  externalScriptVerdict,
  governingDirective,
  inlineElementMatches,
  parsePolicyList,
  requiresTrustedTypes,
  urlMatchesSourceList,
  type Policy,
} from './csp.js';
import type { LoaderScript, StyleRule } from './page.js';
import { shown, type Check } from './report.js';

/**
 * The Trusted Types policies the element creates: its own (POLICY_NAME in src/element/fragment.ts; a
 * test keeps them equal). Built on ReactiveElement, it has no lit-html and so no "lit-html" policy.
 * Written out here so the command line never loads browser code.
 */
export const TRUSTED_TYPES_NAMES: readonly string[] = ['bc-customer-gate'];

const quoted = (names: Iterable<string>) => [...names].map((name) => `"${name}"`).join(' and ');
const policyWord = (count: number) => (count === 1 ? 'policy' : 'policies');

export interface PolicyInputs {
  header: string | null;
  reportOnlyHeader: string | null;
  meta: readonly string[];
}

export function collectPolicies({ header, reportOnlyHeader, meta }: PolicyInputs): Policy[] {
  return [
    ...(header ? parsePolicyList(header, 'header', 'enforce') : []),
    // Browsers ignore report-only policies in <meta>; only the header can carry one.
    ...(reportOnlyHeader ? parsePolicyList(reportOnlyHeader, 'header', 'report') : []),
    ...meta.flatMap((content) => parsePolicyList(content, 'meta', 'enforce')),
  ];
}

function policyName(policy: Policy, index: number, all: readonly Policy[]): string {
  const kind =
    policy.source === 'meta'
      ? '<meta> policy'
      : policy.disposition === 'report'
        ? 'Report-Only header'
        : 'header policy';
  return all.length > 1 ? `${kind} #${index + 1}` : kind;
}

interface Verdict {
  /** Names of the policies that block, with the directive that decided. */
  blockedBy: string[];
  reportedBy: string[];
  decidedBy: string[];
}

function judge(
  policies: readonly Policy[],
  decide: (policy: Policy) => { directive: string; allowed: boolean } | null,
): Verdict {
  const verdict: Verdict = { blockedBy: [], reportedBy: [], decidedBy: [] };
  policies.forEach((policy, index) => {
    const result = decide(policy);
    if (!result) return;
    const name = `${result.directive} in the ${policyName(policy, index, policies)}`;
    if (result.allowed) verdict.decidedBy.push(name);
    else (policy.disposition === 'enforce' ? verdict.blockedBy : verdict.reportedBy).push(name);
  });
  return verdict;
}

function toCheck(id: string, subject: string, verdict: Verdict, fix: string): Check {
  if (verdict.blockedBy.length > 0)
    return { id, status: 'fail', title: `CSP blocks ${subject} (${verdict.blockedBy.join('; ')})`, fix };
  if (verdict.reportedBy.length > 0) {
    return {
      id,
      status: 'warn',
      title: `CSP Report-Only would block ${subject} (${verdict.reportedBy.join('; ')})`,
      fix: `Before enforcing that policy: ${fix}`,
    };
  }
  return {
    id,
    status: 'pass',
    title: `CSP allows ${subject}${verdict.decidedBy.length ? ` (${verdict.decidedBy.join('; ')})` : ''}`,
  };
}

export function scriptCheck(policies: readonly Policy[], loader: LoaderScript, pageUrl: URL): Check {
  const subject =
    loader.kind === 'src'
      ? `the element's script ${shown(loader.specifier)}`
      : `the inline module that imports ${shown(loader.specifier)}`;
  let strictDynamic = false;
  let url: URL | null = null;
  try {
    url = loader.kind === 'src' ? new URL(loader.specifier, pageUrl) : null;
  } catch {
    url = null;
  }
  const verdict = judge(policies, (policy) => {
    const directive = governingDirective(policy, 'script-src-elem');
    if (!directive) return null;
    if (loader.kind === 'import') {
      return {
        directive: directive.name,
        allowed: inlineElementMatches(directive.list, 'script', { nonce: loader.nonce, text: loader.text ?? '' }),
      };
    }
    if (!url) return { directive: directive.name, allowed: false };
    const result = externalScriptVerdict(
      directive.list,
      { url, nonce: loader.nonce, integrity: loader.integrity },
      pageUrl,
    );
    if (result === 'blocked-strict-dynamic') strictDynamic = true;
    return { directive: directive.name, allowed: result !== 'blocked' && result !== 'blocked-strict-dynamic' };
  });
  const hasNonces = policies.some((policy) =>
    (governingDirective(policy, 'script-src-elem')?.list ?? []).some((e) => /^'nonce-/i.test(e)),
  );
  let fix: string;
  if (hasNonces || strictDynamic) {
    fix =
      loader.nonce === null
        ? 'Add nonce="{{nonce}}" to the script tag (Stencil fills in the page\'s nonce); the policy allows only scripts that carry it.'
        : "The script's nonce is not the policy's: render it with {{nonce}} on every request, never a fixed value.";
  } else if (loader.kind === 'import') {
    fix =
      'Allow the inline module with a nonce (nonce="{{nonce}}") or its hash in script-src, or load the CDN script instead.';
  } else {
    fix = `Add ${url ? url.origin : "the script's origin"} to script-src (or load the script from an origin it already allows).`;
  }
  return toCheck('csp.script', subject, verdict, fix);
}

export function connectCheck(
  policies: readonly Policy[],
  target: URL,
  pageUrl: URL,
  what: 'endpoint' | 'token route',
): Check {
  const verdict = judge(policies, (policy) => {
    const directive = governingDirective(policy, 'connect-src');
    return directive
      ? { directive: directive.name, allowed: urlMatchesSourceList(target, directive.list, pageUrl) }
      : null;
  });
  const fix =
    what === 'endpoint'
      ? `Add ${target.origin} to connect-src (and keep 'self' for the token route).`
      : "Add 'self' to connect-src: the element fetches the token from the page's own origin.";
  return toCheck(
    what === 'endpoint' ? 'csp.connect' : 'csp.token',
    `connecting to the ${what} ${target.href}`,
    verdict,
    fix,
  );
}

export function trustedTypesCheck(policies: readonly Policy[]): Check | null {
  const enforced = policies.filter((policy) => policy.disposition === 'enforce');
  const relevant = policies.filter((policy) => requiresTrustedTypes(policy) || policy.directives.has('trusted-types'));
  if (relevant.length === 0) return null;
  const missing = new Set<string>();
  const reportMissing = new Set<string>();
  for (const policy of relevant) {
    for (const name of TRUSTED_TYPES_NAMES) {
      if (allowsTrustedTypesPolicy(policy, name)) continue;
      (enforced.includes(policy) ? missing : reportMissing).add(name);
    }
  }
  const fix = `Add ${quoted(TRUSTED_TYPES_NAMES)} to the trusted-types list, next to the names already there ("trusted-types ... ${TRUSTED_TYPES_NAMES.join(' ')}").`;
  const required = relevant.some((policy) => requiresTrustedTypes(policy) && enforced.includes(policy));
  if (missing.size > 0) {
    return {
      id: 'csp.trusted-types',
      status: 'fail',
      title: `CSP Trusted Types forbid the ${policyWord(missing.size)} ${quoted(missing)} the element creates`,
      fix,
    };
  }
  if (reportMissing.size > 0) {
    return {
      id: 'csp.trusted-types',
      status: 'warn',
      title: `CSP Report-Only Trusted Types would forbid the ${policyWord(reportMissing.size)} ${quoted(reportMissing)}`,
      fix,
    };
  }
  return {
    id: 'csp.trusted-types',
    status: 'pass',
    title: `CSP Trusted Types${required ? ' (enforced)' : ''} allow the element's ${policyWord(TRUSTED_TYPES_NAMES.length)} ${quoted(TRUSTED_TYPES_NAMES)}`,
  };
}

export function styleCheck(policies: readonly Policy[], rule: StyleRule): Check | null {
  const verdict = judge(policies, (policy) => {
    const directive = governingDirective(policy, 'style-src-elem');
    return directive
      ? { directive: directive.name, allowed: inlineElementMatches(directive.list, 'style', rule) }
      : null;
  });
  if (verdict.blockedBy.length === 0 && verdict.reportedBy.length === 0) return null;
  return {
    id: 'csp.style',
    status: 'warn',
    title: `CSP blocks the inline pre-upgrade <style> on line ${rule.line} (${[...verdict.blockedBy, ...verdict.reportedBy].join('; ')})`,
    fix: 'Add nonce="{{nonce}}" to that <style> (or move the rule into the theme\'s stylesheet), or every state\'s text shows until the script runs.',
  };
}
