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
    files: ["lib/env.ts", "*.config.*", "e2e/**", "scripts/**", "cli/**", "bin/**", "lib/testing/**", "**/*.test.ts", "bench/**", "demo/**", "lab/**"],
    rules: { "no-restricted-properties": "off" },
  },
]);
