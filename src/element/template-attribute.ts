/**
 * The `template` attribute: a content template given as text, as the Page Builder widget gives it
 * (its markup travels HTML-escaped in the attribute, so the page's parser never reads it as
 * markup). Each time the gate stamps, the value is parsed inert and cleaned as a fragment is
 * (./fragment.ts), filled as a `<template>` child is (./stamp.ts), and appended to the gate. A
 * guest's page never parses it at all.
 */
import { parseFragment } from './fragment.js';
import { fill, stamp } from './stamp.js';

/** Stamps the `<template>` children and then the `template` attribute; returns the inserted nodes. */
export function stampAll(host: Element, data: unknown): Node[] {
  const nodes = stamp(host, data);
  const source = host.getAttribute('template');
  if (source !== null) {
    const content = parseFragment(source);
    fill(content, data);
    nodes.push(...content.childNodes);
    host.append(content);
  }
  return nodes;
}
