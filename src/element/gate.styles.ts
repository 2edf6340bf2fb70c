import { css } from 'lit';

// Block by default so `loading="lazy"` has a box to observe; `hidden` still wins.
export const styles = css`
  :host {
    display: block;
  }
  :host([hidden]) {
    display: none;
  }
`;
