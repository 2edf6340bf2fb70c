/**
 * The document's functions and getters, captured when the element loads. A page element with a
 * `name` (an `<img name=createElement>`, say) shadows the same-named property of `document`
 * (https://html.spec.whatwg.org/multipage/dom.html#dom-document-nameditem), so the element never
 * reads these off `document` itself. `document` and `window` themselves cannot be shadowed.
 */
const proto = Document.prototype;
const getter = (owner: object, name: string) =>
  Object.getOwnPropertyDescriptor(owner, name)!.get!.bind(document) as () => unknown;

export const createElement = proto.createElement.bind(document) as (tag: string) => HTMLElement;
export const importNode = proto.importNode.bind(document) as <T extends Node>(node: T, deep: boolean) => T;
export const visibilityState = getter(proto, 'visibilityState') as () => DocumentVisibilityState;
export const activeElement = getter(proto, 'activeElement') as () => Element | null;
/**
 * The page's URL as the element first saw it. Token and endpoint URLs resolve against it, so a
 * `<base>` added later (by a fragment, say) cannot send the token elsewhere. document.baseURI, not
 * location, so that about:srcdoc and about:blank frames resolve like their parent.
 */
export const PAGE_URL = getter(Node.prototype, 'baseURI')() as string;
