/**
 * Writes an `html` tagged template with each `${}` value escaped for where it lands. A small HTML
 * tokenizer follows the static markup (and nested trusted fragments) to know that place:
 *
 * - text (`<title>` and `<textarea>` included), comments, quoted attribute values: HTML-escaped;
 * - an unquoted attribute value: also whitespace, `=` and backticks as character references, so a
 *   value cannot end the attribute and start another;
 * - a URL-valued attribute (`href`, `src`, `srcset`, `action`…) that holds a value is checked as a
 *   whole once it ends, and replaced by `about:blank#blocked` unless its URL is safe (url-policy.ts);
 * - an event-handler attribute (`on…`), `srcdoc`, the inside of `<script>` or `<style>`, or a place
 *   inside a tag but outside an attribute value: refused with a TypeError, since no escaping makes a
 *   value safe there. Empty values (`null`, `undefined`, `false`, `''`) may go anywhere; nested
 *   fragments only into element content (html.ts).
 *
 * It follows the HTML tokenizer closely enough for templates people write; it is not a validator.
 * https://html.spec.whatwg.org/multipage/parsing.html#tokenization
 */
import { BLOCKED_URL, isSafeUrlAttributeValue, isUrlAttribute } from './url-policy.js';

type State =
  | 'data'
  | 'tagOpen'
  | 'endTagOpen'
  | 'tagName'
  | 'beforeAttrName'
  | 'attrName'
  | 'afterAttrName'
  | 'beforeAttrValue'
  | 'attrValueDouble'
  | 'attrValueSingle'
  | 'attrValueUnquoted'
  | 'afterAttrValue'
  | 'markupDeclaration'
  | 'comment'
  | 'bogusComment'
  | 'rawText';

/**
 * Elements whose content is code up to their end tag: no escaping makes a value safe inside them,
 * in HTML or in SVG. Other raw-text elements (`<title>`, `<textarea>`, `<xmp>`…) are read as
 * ordinary text on purpose: inside `<svg>` a `<title>` holds markup, so a URL attribute in one is
 * checked either way, and an escaped value cannot end the element.
 */
const CODE_TEXT = new Set(['script', 'style']);
const WHITESPACE = new Set(['\t', '\n', '\f', '\r', ' ']);
const NAME_END = /[\t\n\f\r />=]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const NEEDS_ESCAPE = /[&<>"']/;

export function escapeText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

function escapeUnquoted(text: string): string {
  return text.replace(/[&<>"'`=\t\n\f\r ]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class TemplateWriter {
  #out = '';
  #state: State = 'data';
  #tagName = '';
  #isEndTag = false;
  #attrName = '';
  #valueStart = 0;
  #valueHasHole = false;
  #rawTag = '';
  #declaration = '';
  #commentStart = 0;

  /** Static markup from the template, or a nested fragment in element content: trusted, written as is. */
  markup(text: string): void {
    let i = 0;
    let single = 0; // characters to step one at a time, after a '<' in raw text
    while (i < text.length) {
      // Text, attribute values and comments change state only at one character: copy up to it.
      const stop = single > 0 ? undefined : this.#nextStop(text, i);
      if (stop !== undefined) {
        const end = stop === -1 ? text.length : stop;
        this.#out += text.slice(i, end);
        i = end;
        if (i === text.length) break;
        if (this.#state === 'rawText') single = this.#rawTag.length + 2; // '<' '/' name, then its end
      } else if (single > 0) single--;
      else if (this.#state === 'tagName' || this.#state === 'attrName') {
        // A name runs to whitespace, '/', '>' (or '=' for an attribute): take it whole.
        NAME_END.lastIndex = i;
        const end = NAME_END.exec(text)?.index ?? text.length;
        if (end > i) {
          const name = text.slice(i, end);
          this.#out += name;
          if (this.#state === 'tagName') this.#tagName += name.toLowerCase();
          else this.#attrName += name.toLowerCase();
          i = end;
          continue;
        }
      }
      this.#step(text[i]!);
      i++;
    }
  }

  /** The current state is text outside any tag: a fragment that starts and ends there can be appended unscanned. */
  get inText(): boolean {
    return this.#state === 'data';
  }

  /** A fragment this writer's kind produced from text to text, in text: scanning it again would change nothing. */
  appendBalanced(markup: string): void {
    this.#out += markup;
  }

  /** Where the current state can next change, from `i`: -1 for nowhere; undefined to go one character at a time. */
  #nextStop(text: string, i: number): number | undefined {
    switch (this.#state) {
      case 'data':
        return text.indexOf('<', i);
      case 'attrValueDouble':
        return text.indexOf('"', i);
      case 'attrValueSingle':
        return text.indexOf("'", i);
      case 'comment':
      case 'bogusComment':
        return text.indexOf('>', i);
      case 'rawText':
        return text.indexOf('<', i);
      default:
        return undefined;
    }
  }

  /** An interpolated value, escaped for the place it lands in. */
  value(text: string, isEmpty: boolean): void {
    const state = this.#state;
    if (state === 'data' || state === 'comment' || state === 'bogusComment') {
      this.#out += escapeText(text);
      return;
    }
    if (state === 'rawText') {
      if (!isEmpty) {
        throw new TypeError(
          `bc-customer-gate: html\`\` cannot put a value inside <${this.#rawTag}>: escaping does not make data safe as code. ` +
            "Put it in an element's text or a data-* attribute and read it from there.",
        );
      }
      return;
    }
    if (state === 'beforeAttrValue' && isEmpty) {
      // `name=${''}` would otherwise take whatever follows as its value: make it an empty one.
      this.#out += '""';
      this.#state = 'afterAttrValue';
      return;
    }
    if (isEmpty) return;
    if (
      state === 'attrValueDouble' ||
      state === 'attrValueSingle' ||
      state === 'attrValueUnquoted' ||
      state === 'beforeAttrValue'
    ) {
      this.#checkAttribute();
      if (state === 'beforeAttrValue') {
        this.#state = 'attrValueUnquoted';
        this.#valueStart = this.#out.length;
      }
      this.#valueHasHole = true;
      this.#out += this.#state === 'attrValueUnquoted' ? escapeUnquoted(text) : escapeText(text);
      return;
    }
    throw new TypeError(
      'bc-customer-gate: html`` cannot put a value inside a tag outside an attribute value (it could add an attribute such as ' +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the reader html`` syntax.
        'an event handler). Write name="${value}", or pass html(\'…\') for markup you trust.',
    );
  }

  finish(): string {
    // A template may end inside an attribute value (the rest comes from an outer template).
    if (this.#inAttributeValue()) this.#closeValue();
    return this.#out;
  }

  #inAttributeValue(): boolean {
    return (
      this.#state === 'attrValueDouble' || this.#state === 'attrValueSingle' || this.#state === 'attrValueUnquoted'
    );
  }

  #checkAttribute(): void {
    const name = this.#attrName;
    if (name.startsWith('on') || name === 'srcdoc') {
      throw new TypeError(
        `bc-customer-gate: html\`\` cannot put a value in the "${name}" attribute: it holds ${name === 'srcdoc' ? 'a document' : 'code'}, ` +
          'and escaping does not make data safe there. Put the value in a data-* attribute instead.',
      );
    }
  }

  #closeValue(): void {
    if (this.#valueHasHole && isUrlAttribute(this.#attrName)) {
      const value = this.#out.slice(this.#valueStart);
      if (!isSafeUrlAttributeValue(this.#attrName, value))
        this.#out = this.#out.slice(0, this.#valueStart) + BLOCKED_URL;
    }
    this.#valueHasHole = false;
  }

  #endOfTag(): State {
    if (!this.#isEndTag && CODE_TEXT.has(this.#tagName)) {
      this.#rawTag = this.#tagName;
      return 'rawText';
    }
    return 'data';
  }

  #startAttribute(char: string): void {
    this.#attrName = char.toLowerCase();
    this.#state = 'attrName';
  }

  #step(char: string): void {
    switch (this.#state) {
      case 'data':
        if (char === '<') this.#state = 'tagOpen';
        break;
      case 'tagOpen':
        if (/[A-Za-z]/.test(char)) {
          this.#state = 'tagName';
          this.#tagName = char.toLowerCase();
          this.#isEndTag = false;
        } else if (char === '/') this.#state = 'endTagOpen';
        else if (char === '!') {
          this.#state = 'markupDeclaration';
          this.#declaration = '';
        } else if (char === '?') this.#state = 'bogusComment';
        else if (char !== '<') this.#state = 'data';
        break;
      case 'endTagOpen':
        if (/[A-Za-z]/.test(char)) {
          this.#state = 'tagName';
          this.#tagName = char.toLowerCase();
          this.#isEndTag = true;
        } else this.#state = char === '>' ? 'data' : 'bogusComment';
        break;
      case 'tagName':
        // End tags go through the attribute states too (their attributes are parsed, then dropped).
        if (WHITESPACE.has(char) || char === '/') this.#state = 'beforeAttrName';
        else if (char === '>') this.#state = this.#endOfTag();
        else this.#tagName += char.toLowerCase();
        break;
      case 'beforeAttrName':
        if (char === '>') this.#state = this.#endOfTag();
        else if (!WHITESPACE.has(char) && char !== '/') this.#startAttribute(char);
        break;
      case 'attrName':
        if (WHITESPACE.has(char)) this.#state = 'afterAttrName';
        else if (char === '/') this.#state = 'beforeAttrName';
        else if (char === '=') this.#state = 'beforeAttrValue';
        else if (char === '>') this.#state = this.#endOfTag();
        else this.#attrName += char.toLowerCase();
        break;
      case 'afterAttrName':
        if (char === '/') this.#state = 'beforeAttrName';
        else if (char === '=') this.#state = 'beforeAttrValue';
        else if (char === '>') this.#state = this.#endOfTag();
        else if (!WHITESPACE.has(char)) this.#startAttribute(char);
        break;
      case 'beforeAttrValue':
        if (char === '"' || char === "'") {
          this.#state = char === '"' ? 'attrValueDouble' : 'attrValueSingle';
          this.#out += char;
          this.#valueStart = this.#out.length;
          this.#valueHasHole = false;
          return;
        }
        if (char === '>') this.#state = this.#endOfTag();
        else if (!WHITESPACE.has(char)) {
          this.#state = 'attrValueUnquoted';
          this.#valueStart = this.#out.length;
          this.#valueHasHole = false;
        }
        break;
      case 'attrValueDouble':
      case 'attrValueSingle':
        if (char === (this.#state === 'attrValueDouble' ? '"' : "'")) {
          this.#closeValue();
          this.#state = 'afterAttrValue';
        }
        break;
      case 'attrValueUnquoted':
        if (WHITESPACE.has(char)) {
          this.#closeValue();
          this.#state = 'beforeAttrName';
        } else if (char === '>') {
          this.#closeValue();
          this.#state = this.#endOfTag();
        }
        break;
      case 'afterAttrValue':
        if (WHITESPACE.has(char) || char === '/') this.#state = 'beforeAttrName';
        else if (char === '>') this.#state = this.#endOfTag();
        else this.#startAttribute(char);
        break;
      case 'markupDeclaration':
        this.#declaration += char;
        if (this.#declaration === '-') break;
        if (this.#declaration === '--') {
          this.#state = 'comment';
          this.#commentStart = this.#out.length + 1;
        } else this.#state = char === '>' ? 'data' : 'bogusComment';
        break;
      case 'comment':
        if (char === '>') {
          const body = this.#out.slice(this.#commentStart);
          if (body === '' || body === '-' || body.endsWith('--') || body.endsWith('--!')) this.#state = 'data';
        }
        break;
      case 'bogusComment':
        if (char === '>') this.#state = 'data';
        break;
      case 'rawText':
        if (WHITESPACE.has(char) || char === '/' || char === '>') {
          const end = `</${this.#rawTag}`;
          if (this.#out.slice(-end.length).toLowerCase() === end) {
            this.#tagName = this.#rawTag;
            this.#isEndTag = true;
            this.#state = char === '>' ? this.#endOfTag() : 'beforeAttrName';
          }
        }
        break;
    }
    this.#out += char;
  }
}
