/**
 * The `template` attribute: a content template given as text, as the Page Builder widget gives it
 * (its markup travels HTML-escaped in the attribute, so the page's parser never reads it as
 * markup). When a gate is about to stamp, the attribute's value is parsed inert and cleaned as a
 * fragment is, then appended as a `<template>` child, which `stamp` treats like any other. A guest's
 * page never parses it at all.
 */
import { parseFragment } from './fragment.js';

/** The `<template>` each gate made from its attribute, replaced when the attribute is set again. */
const made = new WeakMap<Element, Element>();

export function adoptTemplateAttribute(host: Element): void {
  const source = host.getAttribute('template');
  if (source === null) return;
  const template = document.createElement('template');
  template.content.append(parseFragment(source));
  host.removeAttribute('template');
  made.get(host)?.remove();
  made.set(host, template);
  host.append(template);
}
