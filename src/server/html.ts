/**
 * HTML fragments an `authorize` hook may return instead of JSON data.
 *
 * A fragment is markup the app vouches for: the exchange answers it as `text/html` and the element
 * inserts it. Returning a plain string is not enough (it would be JSON data), so markup must be
 * wrapped on purpose with `html()`. Used as a tagged template, `html` escapes every interpolated
 * value for where it lands (html-writer.ts), so customer data (an email, a product name, a URL)
 * cannot inject markup or script.
 */
import { escapeText, TemplateWriter } from './html-writer.js';

// Symbol.for, so a fragment made by a second copy of this package is still recognised.
const BRAND = Symbol.for('bc-customer-gate.html-fragment');

export class HtmlFragment {
  readonly #markup: string;

  constructor(markup: string) {
    if (typeof markup !== 'string') {
      throw new TypeError('bc-customer-gate: an HtmlFragment is made from a string of markup.');
    }
    this.#markup = markup;
    Object.defineProperty(this, BRAND, { value: true });
  }

  toString(): string {
    return this.#markup;
  }
}

/**
 * Marks markup as an HTML fragment for the exchange response.
 *
 * - `html('<p>…</p>')` trusts the whole string: build it only from values you control or escaped.
 * - `` html`<p>Hello ${customer.email}</p>` `` escapes each `${}` value (arrays are joined; `null`,
 *   `undefined` and `false` render nothing). A nested `html` fragment is kept as markup where an
 *   element's content goes, and refused with a TypeError anywhere else (inside a tag, an attribute
 *   value, a comment, `<script>` or `<style>`), so wrapping a value gives it no more power. A URL
 *   attribute (`href`, `src`, `srcset`, `action`…) holding a value becomes `about:blank#blocked`
 *   unless its URL is http(s), mailto, tel, sms, relative or an image `data:` URL. A value in an
 *   event-handler attribute, `srcdoc`, `<script>`, `<style>` or between a tag's attributes throws
 *   a TypeError: no escaping makes it safe there.
 */
export function html(markup: string): HtmlFragment;
export function html(strings: TemplateStringsArray, ...values: unknown[]): HtmlFragment;
export function html(first: string | TemplateStringsArray, ...values: unknown[]): HtmlFragment {
  if (typeof first === 'string') return new HtmlFragment(first);
  if (!Array.isArray(first) || !Array.isArray((first as TemplateStringsArray).raw)) {
    throw new TypeError('bc-customer-gate: html() takes a string of markup or is used as a tagged template.');
  }
  const writer = new TemplateWriter();
  writer.markup(first[0] ?? '');
  for (let i = 0; i < values.length; i++) {
    interpolate(writer, values[i]);
    writer.markup(first[i + 1] ?? '');
  }
  const endsInText = writer.inText;
  const fragment = new HtmlFragment(writer.finish());
  if (endsInText) balanced.add(fragment);
  return fragment;
}

const NESTED_OUTSIDE_CONTENT =
  "bc-customer-gate: html`` puts a nested html fragment only where an element's content goes, as in " +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the reader html`` syntax.
  '<ul>${items.map(item)}</ul>. For an attribute, interpolate the value itself: name="${value}".';

/** Fragments from the tagged template that start and end outside any tag (most of them). */
const balanced = new WeakSet<HtmlFragment>();

export function isHtmlFragment(value: unknown): value is HtmlFragment {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Escapes text for use in HTML content or a quoted attribute value. It does not make a URL safe:
 * the `html` tag checks URL attributes itself.
 */
export function escapeHtml(text: string): string {
  return escapeText(String(text));
}

function interpolate(writer: TemplateWriter, value: unknown): void {
  if (value === null || value === undefined || value === false) {
    writer.value('', true);
    return;
  }
  if (isHtmlFragment(value)) {
    const markup = value.toString();
    if (markup === '') {
      writer.value('', true);
      return;
    }
    // A tagged fragment escaped its values for a template that starts in element content; anywhere
    // else (an attribute list, a value, a comment, <script>) they would gain power they never had.
    if (!writer.inText) throw new TypeError(NESTED_OUTSIDE_CONTENT);
    if (balanced.has(value)) writer.appendBalanced(markup);
    else writer.markup(markup);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) interpolate(writer, item);
    return;
  }
  const text = String(value);
  writer.value(text, text === '');
}
