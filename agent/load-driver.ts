// Picks the driver for the configured role. Drivers are imported only when
// their role is asked for, so a missing or broken haproxy driver cannot stop
// an app agent from starting (and the haproxy and postgres ones validate
// their own config sections: they take `unknown`).
import type { AgentConfig } from "./config";
import type { Driver } from "./drivers/types";

type Factory = (config: unknown) => Driver | Promise<Driver>;

// Specifiers kept in variables on purpose: the modules belong to another
// author and may not exist yet in every checkout; a typed static import would
// make the whole agent fail to compile without them. Their contract is
// checked at run time below instead.
const external: Record<"haproxy" | "postgres" | "pgbouncer", { file: string; factory: string }> = {
  haproxy: { file: "./drivers/haproxy.ts", factory: "createHaproxyDriver" },
  postgres: { file: "./drivers/postgres.ts", factory: "createPostgresDriver" },
  pgbouncer: { file: "./drivers/pgbouncer.ts", factory: "createPgbouncerDriver" },
};

export class DriverLoadError extends Error {}

export async function loadDriver(config: AgentConfig): Promise<Driver> {
  if (config.role === "app") {
    const { createAppDriver } = await import("./drivers/app");
    return createAppDriver(config.app!);
  }
  const { file, factory } = external[config.role];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(new URL(file, import.meta.url).href)) as Record<string, unknown>;
  } catch (error) {
    throw new DriverLoadError(`cannot load the ${config.role} driver (agent/${file.slice(2)}): ${(error as Error).message}`);
  }
  const create = mod[factory];
  if (typeof create !== "function") throw new DriverLoadError(`agent/${file.slice(2)} does not export ${factory}()`);
  let driver: Driver;
  try {
    driver = await (create as Factory)(config[config.role]);
  } catch (error) {
    throw new DriverLoadError(`the ${config.role} driver could not start: ${(error as Error).message}`);
  }
  if (
    !driver ||
    typeof driver.collect !== "function" ||
    typeof driver.act !== "function" ||
    typeof driver.metrics !== "function" ||
    typeof driver.close !== "function"
  ) {
    throw new DriverLoadError(`${factory}() did not return a driver (collect, act, metrics, close)`);
  }
  if (driver.role !== config.role) throw new DriverLoadError(`${factory}() returned a "${driver.role}" driver`);
  return driver;
}
