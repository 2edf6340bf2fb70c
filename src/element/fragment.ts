/**
 * Turns the endpoint's `text/html` answer into inert nodes. The fragment is the app's own
 * server-rendered markup, not a sanitizer's input: the server must escape the data it puts in it.
 * As defence in depth, scripts and inline event handlers are dropped.
 */

interface TrustedTypePolicyLike {
  createHTML(input: string): unknown;
}
interface TrustedTypesLike {
  createPolicy(name: string, rules: { createHTML(input: string): string }): TrustedTypePolicyLike;
}

/** The Trusted Types policy name a page's CSP must allow: `trusted-types bc-customer-gate lit-html`. */
export const POLICY_NAME = 'bc-customer-gate';

let policy: TrustedTypePolicyLike | undefined;

/**
 * Parses `html` in a `<template>`, whose content has no browsing context, so nothing in it loads or
 * runs while it is parsed (https://html.spec.whatwg.org/multipage/scripting.html#the-template-element).
 * On a page that enforces Trusted Types the string goes through this package's named policy
 * (https://w3c.github.io/trusted-types/dist/spec/#html-injection-sinks); creating the policy throws
 * when the page's CSP does not allow the name.
 */
export function parseFragment(html: string): DocumentFragment {
  const trustedTypes = (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes;
  policy ??= trustedTypes?.createPolicy(POLICY_NAME, { createHTML: (input) => input });
  const template = document.createElement('template');
  template.innerHTML = (policy ? policy.createHTML(html) : html) as string;
  for (const el of template.content.querySelectorAll('*')) {
    if (el.localName === 'script') el.remove();
    else for (const { name } of [...el.attributes]) if (/^on/i.test(name)) el.removeAttribute(name);
  }
  return template.content;
}
