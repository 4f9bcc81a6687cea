import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// The agent daemon runs on managed hosts, apart from the console, and must keep
// working whatever the console's modules become: of lib/ it loads only
// lib/agent-protocol/ (what both sides must agree on), and that folder loads
// nothing else of the repo. Relative paths are checked too (they could reach
// lib/ around the alias), and `..` inside an alias path.
const RELATIVE_TO_LIB = { regex: "^\\.{1,2}/(.*/)?lib(/|$)", message: "Name modules by their @/ path; a relative path here must not reach lib/." };
const DOTDOT_IN_ALIAS = { regex: "^@/(.*/)?\\.\\.(/|$)", message: "No `..` inside an @/ path." };
const SERVER_ONLY = { regex: "^server-only$", message: "The agent loads this code outside Next: no server-only here." };
const AGENT_ONLY_PROTOCOL = {
  regex: "^@/(?!(agent|lib/agent-protocol)/)",
  message:
    "agent/ imports only agent/ and lib/agent-protocol/** of this repo. Move a pure module both sides need into lib/agent-protocol/, or give the agent its own.",
};
const AGENT_TESTS_LIB = {
  regex: "^@/lib/(?!agent-protocol/|testing/|config/haproxy$)",
  message:
    "Agent tests import of lib/ only lib/agent-protocol/**, lib/testing/** and lib/config/haproxy (the console's renderer, whose output the agent's rules must accept).",
};
const PROTOCOL_SELF_CONTAINED = {
  regex: "^@/(?!lib/agent-protocol/|package\\.json$)",
  message: "lib/agent-protocol/ is all of lib/ the agent loads: it imports nothing else of the repo (package.json aside, for the version).",
};
const PROTOCOL_NO_PARENT = {
  regex: "^\\.\\./",
  message: "Name a module of lib/agent-protocol/ by its @/lib/agent-protocol/ path: a ../ path can leave the folder.",
};

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
  {
    files: ["agent/**/*.{ts,tsx,mts,mjs}"],
    ignores: ["agent/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [AGENT_ONLY_PROTOCOL, RELATIVE_TO_LIB, DOTDOT_IN_ALIAS, SERVER_ONLY] }],
      "no-restricted-syntax": [
        "error",
        { selector: "ImportExpression[source.value=/^@\\/(?!(agent|lib\\/agent-protocol)\\/)/]", message: AGENT_ONLY_PROTOCOL.message },
        { selector: "ImportExpression[source.value=/^\\.{1,2}\\/(.*\\/)?lib(\\/|$)/]", message: RELATIVE_TO_LIB.message },
      ],
    },
  },
  {
    // Tests start real agents beside real apps, HAProxy and PostgreSQL: they may also use lab/, demo/ and these of lib/.
    files: ["agent/**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [AGENT_TESTS_LIB, RELATIVE_TO_LIB, DOTDOT_IN_ALIAS] }] },
  },
  {
    files: ["lib/agent-protocol/**/*.{ts,tsx,mts,mjs}"],
    ignores: ["lib/agent-protocol/**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [PROTOCOL_SELF_CONTAINED, PROTOCOL_NO_PARENT, SERVER_ONLY] }] },
  },
]);
