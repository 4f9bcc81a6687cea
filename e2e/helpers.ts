import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { request, type APIRequestContext } from "@playwright/test";
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
