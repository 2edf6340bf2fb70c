// The floor the element is built on: the smallest useful element on Lit's ReactiveElement (reactive
// properties, a shadow root, styles, slot switching, no lit-html), bundled exactly as the CDN build
// is. Only its size is measured.
import { ReactiveElement, unsafeCSS } from '@lit/reactive-element';

class ReactiveFloor extends ReactiveElement {
  static properties = { state: { reflect: true } };
  static styles = unsafeCSS(':host{display:block}');
  slotElement = document.createElement('slot');

  createRenderRoot() {
    const root = super.createRenderRoot();
    root.append(this.slotElement);
    return root;
  }

  update(changed) {
    super.update(changed);
    this.slotElement.name = this.state ?? 'loading';
  }
}

customElements.define('reactive-floor', ReactiveFloor);
