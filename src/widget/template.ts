/**
 * The Page Builder widget template for `<bc-customer-gate>`, as the data
 * `POST /v3/content/widget-templates` takes. Plain values, no I/O: the CLI and app code register it
 * with the Widgets API client in `./client.ts`.
 *
 * https://developer.bigcommerce.com/docs/storefront/widgets/input-reference/schema
 */
import { isLoopbackHttp } from '../loopback.js';

export const DEFAULT_WIDGET_NAME = 'Customer gate (bc-customer-gate)';

/** The element's CDN bundle for one published version of this package, served from npm by jsDelivr. */
export function cdnScriptUrl(version: string): string {
  return `https://cdn.jsdelivr.net/npm/bc-customer-gate@${encodeURIComponent(version)}/dist/cdn/bc-customer-gate.js`;
}

/** One setting in a Page Builder schema section. */
export interface WidgetSetting {
  type: 'input' | 'text' | 'code' | 'boolean' | 'select' | 'number' | 'color' | 'toggle' | (string & {});
  id: string;
  label: string;
  default?: string | number | boolean;
  typeMeta?: Record<string, unknown>;
}

export interface WidgetSchemaTab {
  type: 'tab';
  label: string;
  sections: Array<{ label?: string; settings: WidgetSetting[] }>;
}

/** The body of `POST /v3/content/widget-templates` (and of `PUT .../{uuid}`). */
export interface WidgetTemplateDefinition {
  name: string;
  template: string;
  schema: WidgetSchemaTab[];
  storage_level?: string;
  channel_id?: number;
}

export interface WidgetTemplateOptions {
  /** Package version whose CDN bundle the template loads. */
  version: string;
  /** Template name in Page Builder; installs find an existing template by it. */
  name?: string;
  /** Load the element from here instead of jsDelivr (a self-hosted copy of dist/cdn/bc-customer-gate.js). */
  scriptUrl?: string;
  /** Pre-filled app client ID, so merchants need not type it. */
  clientId?: string;
  /** Pre-filled exchange endpoint URL. */
  endpoint?: string;
}

/**
 * The pre-upgrade rules of docs/element.md ("Before the script runs") on one line: only the checking
 * text until the element is defined, and in a browser too old to ever define it (no media range
 * syntax, which came with the JavaScript the element needs in Safari 16.4) the signed-out text.
 * Spaced so that no `}}` appears for Handlebars.
 */
export const PRE_UPGRADE_STYLE =
  'bc-customer-gate:not(:defined) > :not([slot="anonymous"]) { display: none; } @media (width >= 0px) { bc-customer-gate:not(:defined) > [slot="anonymous"] { display: none; } bc-customer-gate:not(:defined) > [slot="loading"] { display: revert; } }';

/**
 * The content template's one appearance in the widget: the gate's `template` attribute, inserted
 * with `{{ }}`, which HTML-escapes it (`&`, `<`, `>` and both quotes), so the page's HTML parser
 * reads the merchant's markup as one attribute value, never as markup. The element parses that
 * value into an inert `<template>` only once the app's server has verified the customer, and stamps
 * it like a `<template>` child (docs/element.md, "The template attribute"). Only Handlebars'
 * built-in `if` is used: BigCommerce documents no other helper for widget templates.
 */
export const CONTENT_TEMPLATE_ATTRIBUTE = '{{#if contentTemplate}} template="{{contentTemplate}}"{{/if}}';

/**
 * The Handlebars HTML. Page Builder renders it on the server with the widget's settings as the
 * context, and every setting is inserted with `{{ }}`, which HTML-escapes it (quotes included, so
 * attribute values cannot break out). That includes the content template, the markup the merchant
 * writes for verified customers: it travels as an attribute value ({@link CONTENT_TEMPLATE_ATTRIBUTE}),
 * so no part of it is parsed with the page, whatever it holds. Only Handlebars' built-in helpers.
 *
 * `nonce="{{nonce}}"` lets the script run on stores with nonce-based script authorization; it
 * renders empty (`nonce=""`) where the context has no nonce.
 *
 * No `logged-in` attribute: a widget template's context is its settings, not the page's Stencil
 * context, so `{{customer}}` is not reliably there, and Page Builder may cache the rendered widget
 * across shoppers. Guests therefore cost one token request (a 404), which the element treats as
 * signed out.
 *
 * The style rules ({@link PRE_UPGRADE_STYLE}) hide everything but the loading text until the element
 * is defined, so a slow or blocked script does not show every state's text at once.
 */
export function widgetHtml(scriptUrl: string): string {
  return `<script type="module" nonce="{{nonce}}" src="${escapeAttribute(scriptUrl)}"></script>
<style>${PRE_UPGRADE_STYLE}</style>
<bc-customer-gate client-id="{{clientId}}" endpoint="{{endpoint}}"${CONTENT_TEMPLATE_ATTRIBUTE}>
  <p slot="loading">{{loadingText}}</p>
  <p slot="anonymous">{{signedOutText}}{{#if signInUrl}} <a href="{{signInUrl}}">{{signInLinkText}}</a>{{/if}}</p>
  <p slot="denied">{{deniedText}}</p>
  <p slot="error">{{errorText}} <button type="button" data-bc-retry>{{retryText}}</button></p>
</bc-customer-gate>
`;
}

export const DEFAULT_CONTENT_TEMPLATE = '<p>Welcome back, <span data-bc-field="customer.email"></span>.</p>';

export function widgetSchema(defaults: { clientId?: string; endpoint?: string } = {}): WidgetSchemaTab[] {
  return [
    {
      type: 'tab',
      label: 'Content',
      sections: [
        {
          label: 'App',
          settings: [
            { type: 'input', id: 'clientId', label: 'App client ID', default: defaults.clientId ?? '' },
            {
              type: 'input',
              id: 'endpoint',
              label: "App's exchange endpoint (https URL)",
              default: defaults.endpoint ?? '',
            },
          ],
        },
        {
          label: 'Signed-out shoppers',
          settings: [
            { type: 'text', id: 'signedOutText', label: 'Signed-out text', default: 'Sign in to see this.' },
            { type: 'input', id: 'signInLinkText', label: 'Sign-in link text', default: 'Sign in' },
            { type: 'input', id: 'signInUrl', label: 'Sign-in link URL (empty for no link)', default: '/login.php' },
          ],
        },
        {
          label: 'Other states',
          settings: [
            { type: 'input', id: 'loadingText', label: 'While checking', default: 'Checking your account…' },
            {
              type: 'text',
              id: 'deniedText',
              label: 'Denied text (signed in, but not allowed)',
              default: 'Your account does not include this.',
            },
            { type: 'text', id: 'errorText', label: 'Error text', default: 'Could not load this.' },
            { type: 'input', id: 'retryText', label: 'Retry button text', default: 'Try again' },
          ],
        },
        {
          label: 'Verified customers',
          settings: [
            {
              // A `code` setting is Page Builder's HTML editor; a `text` setting takes no new lines.
              type: 'code',
              id: 'contentTemplate',
              label:
                'Content template (HTML shown once the app verified the customer; elements with ' +
                'data-bc-field="customer.email" or "data.…" are filled from the app\'s answer)',
              default: DEFAULT_CONTENT_TEMPLATE,
              typeMeta: { language: 'html' },
            },
          ],
        },
      ],
    },
  ];
}

export function buildWidgetTemplate(options: WidgetTemplateOptions): WidgetTemplateDefinition {
  if (typeof options?.version !== 'string' || options.version === '') {
    throw new TypeError('bc-customer-gate: buildWidgetTemplate needs the package "version" whose CDN bundle to load.');
  }
  return {
    name: options.name ?? DEFAULT_WIDGET_NAME,
    template: widgetHtml(checkScriptUrl(options.scriptUrl ?? cdnScriptUrl(options.version))),
    schema: widgetSchema({
      ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    }),
  };
}

function checkScriptUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError("bc-customer-gate: the widget's script URL must be an absolute https URL.");
  }
  if (url.protocol !== 'https:' && !isLoopback(url)) {
    throw new TypeError(
      "bc-customer-gate: the widget's script URL must use https (storefronts are served over https).",
    );
  }
  return url.href;
}

/** An `http:` URL to this machine (localhost, 127.0.0.0/8, [::1]), where https is not needed. */
export const isLoopback = isLoopbackHttp;

/** For an attribute inside the Handlebars source: HTML-escaped, and no braces Handlebars would read. */
function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[{}]/g, (brace) => encodeURIComponent(brace));
}
