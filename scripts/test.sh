#!/usr/bin/env bash
# Every test: unit and integration (vitest, against a real embedded
# PostgreSQL), then a production build, then end to end (Playwright against
# `clusterdeck start`, in Debian's chromium), then one smoke run of every
# benchmark (after the build: three of them run the console). Needs chromium,
# haproxy, PostgreSQL 15, prometheus and wrk installed (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
unset DATABASE_URL

echo "== format, typecheck and lint"
npx prettier --check . || { echo "Formatting differs: run 'npm run format' and commit the result."; exit 1; }
npx tsc --noEmit
npx eslint .
node scripts/check-cycles.mjs

echo "== unit and integration tests"
npx vitest run

echo "== production build"
npx next build

echo "== end-to-end tests"
rm -rf .e2e-data e2e/.auth
npx playwright test

echo "== benchmarks, smoke runs (one after the other; each must write real figures)"
node --import tsx bench/run.ts all --smoke
