/**
 * Turns the endpoint's `text/html` answer into inert nodes. The fragment is the app's own
 * server-rendered markup, not a sanitizer's input: the server must escape the data it puts in it.
 * As defence in depth, nothing in it may run script or reach outside the gate, while ordinary
 * content (links, images, tables, forms, https iframes such as a video) keeps working.
 */
import { createElement } from './dom.js';
import { POLICY_NAME } from './policy.js';

export { POLICY_NAME };

interface TrustedTypePolicyLike {
  createHTML(input: string): unknown;
}
interface TrustedTypesLike {
  createPolicy(name: string, rules: { createHTML(input: string): string }): TrustedTypePolicyLike;
}

/**
 * Elements removed with everything inside them: script; `<base>` and `<meta http-equiv>`, which
 * change the whole page (its base URL, a refresh); plug-ins; `<link>`, which loads what the page
 * did not ask for; SVG animation, which can set an `href` to a script URL after the check; `<slot>`,
 * which would pull the gate's own children into the fragment; customized built-ins (`is`), which the
 * page's custom element definitions would upgrade (as they would any element with a hyphen in its
 * name, removed too: a nested gate could send the token elsewhere).
 */
const REMOVED = 'script,base,meta,object,embed,link,frame,frameset,animate,set,slot,[is]';

let policy: TrustedTypePolicyLike | undefined;

/**
 * Parses `html` in a `<template>`, whose content has no browsing context, so nothing in it loads or
 * runs while it is parsed (https://html.spec.whatwg.org/multipage/scripting.html#the-template-element),
 * then cleans it before it is inserted. On a page that enforces Trusted Types the string goes
 * through this package's named policy (https://w3c.github.io/trusted-types/dist/spec/#html-injection-sinks);
 * creating the policy throws when the page's CSP does not allow the name.
 */
export function parseFragment(html: string): DocumentFragment {
  policy ??= (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes?.createPolicy(POLICY_NAME, {
    createHTML: (input) => input,
  });
  const template = createElement('template') as HTMLTemplateElement;
  template.innerHTML = (policy?.createHTML(html) ?? html) as string;
  clean(template.content);
  return template.content;
}

/** Cleans `root` in place, nested templates' content included (a stamped template would run it). */
function clean(root: DocumentFragment): void {
  for (const el of root.querySelectorAll('*')) {
    const { localName } = el;
    if (
      el.matches(REMOVED) ||
      localName.includes('-') ||
      // A `<style>` (HTML or SVG) that could reach outside the fragment: `@import` loads remote CSS,
      // `:host` styles the gate itself (`:host-context` reads the page around it). Comments and
      // escapes could spell those another way, so a style with either is removed too.
      (localName === 'style' && /@import|:host|\/\*|\\/i.test(el.textContent!))
    )
      el.remove();
    else
      for (const attr of [...el.attributes]) {
        // An attribute that can run script or reach outside the gate: an event handler, `srcdoc`,
        // `autofocus` (which would take focus from the page), `popover`, `popovertarget`, `command`
        // and `commandfor` (which open the top layer, above the gate's clip), or a value that holds
        // a script URL. URL parsers ignore tabs, newlines and leading controls, so they are ignored
        // here too. data: URLs are images at most: a framed or linked data: document would run its
        // own script.
        const value = attr.value.replace(/[\0- ]/g, '').toLowerCase();
        if (
          /^on|^srcdoc$|^autofocus$|^popover|^command/i.test(attr.name) ||
          /(java|vb)script:/.test(value) ||
          (value.startsWith('data:') && localName !== 'img')
        )
          el.removeAttributeNode(attr);
      }
    if (localName === 'template') clean((el as HTMLTemplateElement).content);
  }
}
