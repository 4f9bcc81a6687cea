// The ini edit behind pgbouncer.retarget: only the entry's host and port change.
import { describe, expect, it } from "vitest";
import { IniEditError, parseConnString, retargetDatabase } from "./pgbouncer-ini";

const INI = [
  ";; the fleet's bouncer",
  "[databases]",
  "# app goes to the primary",
  "app = host=10.0.0.1 port=5432 dbname=app pool_size=20",
  "reports = host='10.0.0.9' port=6432 dbname='rep''orts' application_name='a b'",
  "",
  "[pgbouncer]",
  "; app = host=not.this port=1",
  "app = 1",
  "listen_port = 6432",
  "",
].join("\n");

describe("retargetDatabase", () => {
  it("changes only the entry's host and port, byte for byte elsewhere", () => {
    const edit = retargetDatabase(INI, "app", "10.0.0.2", 5433);
    expect(edit.before).toEqual({ host: "10.0.0.1", port: 5432 });
    expect(edit.changed).toBe(true);
    expect(edit.content).toBe(INI.replace("app = host=10.0.0.1 port=5432", "app = host=10.0.0.2 port=5433"));
  });

  it("keeps quoting, escapes and other quoted values", () => {
    const edit = retargetDatabase(INI, "reports", "db-2.internal", 7000);
    expect(edit.before).toEqual({ host: "10.0.0.9", port: 6432 });
    expect(edit.content).toBe(INI.replace("host='10.0.0.9' port=6432", "host='db-2.internal' port=7000"));
  });

  it("keeps CRLF line endings, spacing around '=' and trailing space", () => {
    const crlf = "[databases]\r\n  app\t=  host=a port=1 dbname=x  \r\n[pgbouncer]\r\n";
    expect(retargetDatabase(crlf, "app", "b", 2).content).toBe("[databases]\r\n  app\t=  host=b port=2 dbname=x  \r\n[pgbouncer]\r\n");
  });

  it("appends host and port when the entry has none (a unix socket default)", () => {
    const edit = retargetDatabase("[databases]\napp = dbname=app\n", "app", "10.0.0.2", 5432);
    expect(edit.content).toBe("[databases]\napp = dbname=app host=10.0.0.2 port=5432\n");
    expect(edit.before).toEqual({ host: null, port: null });
  });

  it("rewrites every entry of that name (PgBouncer keeps the last) and no prefix match", () => {
    const ini = "[databases]\napp = host=a port=1\napp2 = host=a port=1\napp = host=c port=3\n";
    const edit = retargetDatabase(ini, "app", "z", 9);
    expect(edit.content).toBe("[databases]\napp = host=z port=9\napp2 = host=a port=1\napp = host=z port=9\n");
    expect(edit.before).toEqual({ host: "c", port: 3 });
  });

  it("answers unchanged when it already points there", () => {
    const edit = retargetDatabase(INI, "app", "10.0.0.1", 5432);
    expect(edit).toMatchObject({ changed: false, content: INI });
  });

  it("refuses a missing entry, one outside [databases], or a connection string PgBouncer would refuse", () => {
    expect(() => retargetDatabase(INI, "nope", "a", 1)).toThrow(IniEditError);
    expect(() => retargetDatabase("[pgbouncer]\napp = host=a port=1\n", "app", "a", 1)).toThrow(/no \[databases\] entry "app"/);
    expect(() => retargetDatabase("[databases]\napp = host='unterminated port=1\n", "app", "a", 1)).toThrow(/not a connection string/);
    expect(() => retargetDatabase("[databases]\napp = host=a port\n", "app", "a", 1)).toThrow(IniEditError);
  });
});

describe("parseConnString", () => {
  it("reads values as PgBouncer's loader does", () => {
    expect(parseConnString("host='a ''b' port=1")!.map((p) => [p.key, p.value])).toEqual([
      ["host", "a 'b"],
      ["port", "1"],
    ]);
    expect(parseConnString("host")).toBeNull();
    expect(parseConnString("=x")).toBeNull();
  });
});
