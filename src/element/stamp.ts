/**
 * Fills markup from the exchange response. Values are only ever written with `textContent`, so a
 * customer's name like `<img src=x onerror=...>` stays text: data never becomes markup.
 *
 * The markup comes from the gate's `<template>` children and from its `template` attribute: a
 * content template given as text, as the Page Builder widget gives it (its markup travels
 * HTML-escaped in the attribute, so the page's parser never reads it as markup). Each time the gate
 * stamps, the attribute's value is parsed inert and cleaned as a fragment is (./fragment.ts). A
 * guest's page never parses it at all.
 */
import { importNode } from './dom.js';
import { parseFragment } from './fragment.js';

/**
 * Stamps each `<template>` child of `host` right after it, then the `template` attribute at the
 * end, filled from `data`, and returns the inserted nodes so they can be removed again.
 */
export function stamp(host: Element, data: unknown): Node[] {
  const nodes: Node[] = [];
  const filled = (content: DocumentFragment) => {
    fill(content, data);
    nodes.push(...content.childNodes);
    return content;
  };
  // importNode, not cloneNode: custom elements in the template upgrade in this document.
  for (const template of host.querySelectorAll<HTMLTemplateElement>(':scope > template'))
    template.after(filled(importNode(template.content, true)));
  const source = host.getAttribute('template');
  if (source !== null) host.append(filled(parseFragment(source)));
  return nodes;
}

/**
 * `data-bc-field="a.b"` gets the value at that path as text (an empty path is the scope itself);
 * `data-bc-list="a.b"` repeats its children once per array element, with paths inside resolved
 * against that element.
 */
export function fill(root: DocumentFragment, scope: unknown): void {
  for (const el of root.querySelectorAll('[data-bc-field],[data-bc-list]')) {
    // A list expanded earlier removed its own pattern children; they are filled per item instead.
    if (!root.contains(el)) continue;
    const list = el.getAttribute('data-bc-list');
    const path = list ?? el.getAttribute('data-bc-field')!;
    let value = scope;
    for (const key of path ? path.split('.') : []) {
      // Own properties only: a path like `__proto__.x` must not reach the prototype chain.
      value =
        typeof value === 'object' && value !== null && Object.hasOwn(value, key)
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    if (list === null) {
      // Strings, numbers and booleans print; null, objects and arrays leave the element empty.
      el.textContent = value == null || typeof value === 'object' ? '' : String(value);
      continue;
    }
    const pattern = [...el.children];
    el.replaceChildren();
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      // One copy of the pattern per item, filled before it joins the list.
      const copy = new DocumentFragment();
      copy.append(...pattern.map((child) => child.cloneNode(true)));
      fill(copy, item);
      el.append(copy);
    }
  }
}
