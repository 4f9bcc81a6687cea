import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    "lib/generated/**",
    "node_modules/**",
    ".clusterdeck/**",
    ".e2e-data/**",
    "test-results/**",
    "playwright-report/**",
    "next-env.d.ts",
  ]),
  {
    rules: {
      // process.env is read in lib/env.ts only (and in config files that tools load themselves).
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through env() from lib/env.ts" }],
    },
  },
  {
    // Pages reach the API through the contract: callApi(api.nodes.get, { params }) in lib/<domain>/queries.ts
    // or routeUrl(api.stream); a URL written by hand drifts from the routes without a word.
    files: ["components/**", "app/**", "lib/**/queries.ts"],
    ignores: ["app/api/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "Literal[value=/\\/api\\/v1\\//]", message: "Call the route through callApi(api.…) from lib/api/client.ts, not by its URL" },
        { selector: "TemplateElement[value.raw=/\\/api\\/v1\\//]", message: "Call the route through callApi(api.…) from lib/api/client.ts, not by its URL" },
      ],
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "@/lib/http/client", importNames: ["apiFetch"], message: "Use callApi(api.…) from lib/api/client.ts" }] },
      ],
    },
  },
  {
    files: ["lib/env.ts", "*.config.*", "e2e/**", "scripts/**", "cli/**", "bin/**", "lib/testing/**", "**/*.test.ts", "bench/**", "demo/**", "lab/**"],
    rules: { "no-restricted-properties": "off" },
  },
]);
