'use client';
// A client component that imports the element, as an app would. Next.js renders it on the server
// too, where the import must define nothing and touch no DOM; the browser then defines the element.
import 'bc-customer-gate';

export function Gate() {
  return (
    <bc-customer-gate client-id="ssr-client" endpoint="/customer-gate">
      <p slot="loading">Checking your account…</p>
    </bc-customer-gate>
  );
}
