// The role drivers are imported lazily by role; the haproxy and postgres
// factories validate their own config sections.
import { describe, expect, it } from "vitest";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { parseConfig } from "./config";
import { DriverLoadError, loadDriver } from "./load-driver";

const base = { listen: { port: 0 }, credentials: [generateAgentSecret()] };

describe("loadDriver", () => {
  it("loads each role's driver", async () => {
    const app = await loadDriver(
      parseConfig({ ...base, name: "a", role: "app", app: { healthUrl: "http://127.0.0.1:1/h", statsUrl: "http://127.0.0.1:1/s" } }),
    );
    const haproxy = await loadDriver(parseConfig({ ...base, name: "lb", role: "haproxy", haproxy: { socket: "/nonexistent/haproxy.sock" } }));
    const postgres = await loadDriver(parseConfig({ ...base, name: "db", role: "postgres", postgres: { url: "postgresql://127.0.0.1:1/postgres" } }));
    expect([app.role, haproxy.role, postgres.role]).toEqual(["app", "haproxy", "postgres"]);
    for (const d of [app, haproxy, postgres]) await d.close();
  });

  it("reports a role section its driver refuses as a start failure naming the role", async () => {
    const error = await loadDriver(parseConfig({ ...base, name: "lb", role: "haproxy", haproxy: { sockett: "/x" } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverLoadError);
    expect((error as Error).message).toMatch(/^the haproxy driver could not start: .*socket/s);
  });
});
