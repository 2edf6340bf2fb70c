import { unsafeCSS } from '@lit/reactive-element';

// Block by default so `loading="lazy"` has a box to observe; `hidden` still wins. Paint containment
// makes the gate the containing block of fixed-position content and clips what it draws to its box,
// so a fragment cannot cover the page (https://drafts.csswg.org/css-contain/#paint-containment). The status region
// is read by assistive technology and never seen. A constant string through unsafeCSS, not the
// `css` tag, keeps the tag's validation code out of the CDN bundle.
export const styles = unsafeCSS(
  ':host{display:block;contain:paint}:host([hidden]){display:none}[part=status]{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}',
);
