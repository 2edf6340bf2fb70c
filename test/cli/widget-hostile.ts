// Content templates that an inline `<template>` in the widget would have let out into the page, for
// the Node tests (parse5) and the browser tests (each engine's own parser). Plain strings, no I/O.

/** The mark every hostile content template carries: an id and a text no live node may have. */
export const MARK = 'LIVE-MARK';

/**
 * The content templates the HTML parser would have let out of an inline `<template>`: a formatting
 * element left open before a table cell, caption or object-like element (reconstructed after
 * `</template>` with its attributes, around the theme); elements whose content model swallows the
 * rest of the page; and ways to end the `<template>` or the attribute early.
 */
export const FORMATTING = ['<a href="/x"', '<b', '<nobr', '<font color="red"', '<i', '<u', '<strong'];
export const BARRIERS = [
  '<td>',
  '<table><td>',
  '<th>',
  '<table><th>',
  '<table><caption>',
  '<object>',
  '<applet>',
  '<marquee>',
];
export const SWALLOWERS = [
  '<xmp>',
  '<plaintext>',
  '<!--',
  '<!-- unclosed <p>',
  '<svg><template>',
  '<template>',
  '<template><template>',
  '<math><mi><mglyph><style>',
  '<math><mglyph><style>',
  '<textarea>',
  '<title>',
  '<style>',
  '<script>',
  '<noscript>',
  '<noembed>',
  '<noframes>',
  '<iframe>',
  '<select>',
];
export const ENDERS = [
  '</template>',
  '</TEMPLATE >',
  '</tEmPlAtE foo="bar">',
  '<template></template></template>',
  '" onmouseover="alert(1)" x="',
  "' onmouseover='alert(1)' x='",
  '&quot; onmouseover=alert(1) x=&quot;',
  `"></bc-customer-gate><div id="${MARK}">`,
  '{{contentTemplate}}}}',
];
export const HOSTILE = [
  ...FORMATTING.flatMap((open) =>
    BARRIERS.map((barrier) => `${open} id="${MARK}" onmouseover="alert(1)">${MARK}${barrier}`),
  ),
  ...SWALLOWERS.map((open) => `<p>ok</p>${open}<b id="${MARK}">${MARK}</b>`),
  ...ENDERS.map((end) => `<p>ok</p>${end}<img id="${MARK}" src=x onerror="alert(1)">${MARK}`),
];
