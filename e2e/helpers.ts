import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { AxeResults } from "axe-core";
import pg from "pg";
import { request, type APIRequestContext, type Page } from "@playwright/test";
import { E2E, tokensFile, type E2ERole } from "./env";

let tokens: Record<E2ERole, string> | undefined;

export function tokenFor(role: E2ERole): string {
  tokens ??= JSON.parse(fs.readFileSync(tokensFile(), "utf8")) as Record<E2ERole, string>;
  return tokens[role];
}

/** An API client acting as this role through its bearer token, or anonymous. */
export function apiAs(role: E2ERole | "ANONYMOUS"): Promise<APIRequestContext> {
  return request.newContext({
    baseURL: E2E.baseURL,
    extraHTTPHeaders: role === "ANONYMOUS" ? {} : { authorization: `Bearer ${tokenFor(role)}` },
  });
}

/** A unique, valid inventory name. */
export const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/** A client of the e2e console's own (embedded) PostgreSQL, to read or plant rows the API would not. */
export async function consoleDatabase(): Promise<pg.Client> {
  const config = JSON.parse(fs.readFileSync(path.join(E2E.dataDir, "postgres.json"), "utf8")) as { user: string; password: string; database: string };
  const client = new pg.Client({ host: "127.0.0.1", port: E2E.pgPort, user: config.user, password: config.password, database: config.database });
  await client.connect();
  return client;
}

const axeScript = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * The page's serious and critical accessibility violations, as axe-core finds them, one line
 * each. axe is injected into the page, so the page's context must be opened with bypassCSP
 * (the page's own policy would refuse the script; the page itself is unchanged).
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeScript });
  const axe = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run());
  return axe.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
