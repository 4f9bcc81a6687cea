// The problem+json body (RFC 9457) every error answer carries. Plain
// JavaScript because two worlds share it: lib/http/problem.ts (bundled by
// Next) and the front server (bin/front-server.mjs), which runs under bare
// Node before Next and cannot load TypeScript.
export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";

const typeBase = "https://clusterdeck.dev/problems/";

/**
 * `code` is what machines match on: a domain error's code ("conflict",
 * "invalid"…), given in `extra`, or else the title's ("not_found",
 * "payload_too_large").
 */
export function problemShape(status, title, detail, requestId, extra = {}) {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return { type: typeBase + slug, title, status, detail, requestId, code: slug.replaceAll("-", "_"), ...extra };
}
