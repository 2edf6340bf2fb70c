import { unsafeCSS } from 'lit';

// Block by default so `loading="lazy"` has a box to observe; `hidden` still wins. A constant string
// through unsafeCSS, not the `css` tag, keeps the tag's validation code out of the CDN bundle.
export const styles = unsafeCSS(':host{display:block}:host([hidden]){display:none}');
