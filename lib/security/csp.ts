// Content Security Policies. Kept free of server-only imports: proxy.ts uses it.
//
// Pages get a fresh nonce per response (proxy.ts makes it and passes the
// policy to Next in the request, which stamps the nonce on every script it
// renders, its own included). No 'unsafe-inline' for scripts: an injected
// <script> or on*= handler does not run, whatever got it into the page.
// 'strict-dynamic' lets the nonce'd bootstrap load Next's chunks. Styles keep
// 'unsafe-inline': React's style attributes need it, and a style cannot run code.
// The cost: every page renders per request (a nonce cannot be baked into a
// static page), which the console's pages did already, being per user.

/** A fresh, unguessable nonce (128 bits, base64). */
export function newCspNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export function pageCsp(nonce: string, opts: { dev: boolean }): string {
  return [
    "default-src 'self'",
    // Development only: React rebuilds server error stacks with eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}
