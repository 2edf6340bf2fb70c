// The floor for the CDN bundle: the smallest useful Lit element (reactive properties, a shadow
// root, styles, slot switching), bundled exactly as the CDN build is. Only its size is measured.
import { LitElement, html, unsafeCSS } from 'lit';

class LitFloor extends LitElement {
  static properties = { state: { reflect: true } };
  static styles = unsafeCSS(':host{display:block}');

  render() {
    return html`<slot name=${this.state ?? 'loading'}></slot>`;
  }
}

customElements.define('lit-floor', LitFloor);
