// The PostgreSQL lab fixture itself: given dir and ports, a read-only replica,
// crash and restart, clean stop, and helpful errors.
import { existsSync, readdirSync } from "node:fs";
import net from "node:net";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLabDir, removeDir } from "./dirs";
import { freePorts } from "./ports";
import { startPostgresPair, type PostgresPairHandle } from "./postgres";
import { isAlive, waitFor } from "./process";

async function one<T>(url: string, text: string): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query(text)).rows[0] as T;
  } finally {
    await client.end().catch(() => {});
  }
}

describe("startPostgresPair", () => {
  it("says what to install when PostgreSQL 15 is missing", async () => {
    await expect(startPostgresPair({ binDir: "/nonexistent/bin" })).rejects.toThrow(/apt-get install postgresql/);
  });

  it("fails with the server log when a port is taken, and leaves nothing behind", async () => {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = await makeLabDir("pg-taken");
    try {
      await expect(startPostgresPair({ dir, primaryPort: port })).rejects.toThrow(/primary did not start[\s\S]*could not bind/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      blocker.close();
      await removeDir(dir);
    }
  });

  describe("in a given dir on given ports", () => {
    let dir: string;
    let pair: PostgresPairHandle;
    let ports: [number, number];

    beforeAll(async () => {
      dir = await makeLabDir("pg-test");
      ports = (await freePorts(2)) as [number, number];
      pair = await startPostgresPair({ dir, primaryPort: ports[0], replicaPort: ports[1] });
    });

    afterAll(async () => {
      await pair?.stop();
      await removeDir(dir);
    });

    it("runs a writable primary and a read-only replica where asked", async () => {
      expect(pair.primary.port).toBe(ports[0]);
      expect(pair.replica.port).toBe(ports[1]);
      expect(pair.primaryUrl).toContain(`127.0.0.1:${ports[0]}/`);
      expect(await one(pair.primaryUrl, "SELECT pg_is_in_recovery() AS r")).toEqual({ r: false });
      expect(await one(pair.replicaUrl, "SELECT pg_is_in_recovery() AS r")).toEqual({ r: true });
      await expect(one(pair.replicaUrl, "CREATE TABLE nope (id int)")).rejects.toThrow(/read-only transaction/);
      const sender = await one<{ conninfo: string }>(pair.replicaUrl, "SELECT conninfo FROM pg_stat_wal_receiver");
      expect(sender.conninfo).toContain("application_name=replica");
      expect(sender.conninfo).not.toMatch(/password=/);
    });

    it("kill() crashes the primary; start() brings it back and the replica re-attaches", async () => {
      const pid = pair.primary.pid();
      expect(pid).not.toBeNull();
      await pair.primary.kill();
      expect(pair.primary.pid()).toBeNull();
      await pair.primary.start();
      expect(pair.primary.pid()).not.toBe(pid);
      await waitFor("the replica streaming again", async () => {
        const row = await one<{ n: number }>(pair.primaryUrl, "SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'");
        return row.n === 1;
      });
    });

    it("stop() shuts both down and leaves a dir it did not make", async () => {
      const pids = [pair.primary.pid(), pair.replica.pid()];
      await pair.stop();
      expect(pair.primary.pid()).toBeNull();
      expect(pair.replica.pid()).toBeNull();
      for (const pid of pids) expect(isAlive(pid!)).toBe(false);
      expect(existsSync(dir)).toBe(true);
    });
  });
});
