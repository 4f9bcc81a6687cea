// Protects: readers without config:write never see a secret of a
// configuration, whatever characters it holds. Passwords are generated over
// the whole printable ASCII range (and a few non-ASCII characters) from a
// fixed seed, so a failure replays; each is written into every carrier the
// way its consumer expects it (percent-encoded in a URL, quoted and escaped
// in a conninfo, double-quoted, single-quoted or backslash-escaped in an
// HAProxy line, JSON-escaped in settings), and the masked text must hold
// neither the password nor any encoding of it, and must be exactly the
// original text with the secret's span replaced by the mask.
import { describe, expect, it } from "vitest";
import { canonicalJson } from "@/lib/agent-protocol/config/checksum";
import { haproxyInput, renderHaproxy } from "@/lib/config/haproxy";
import {
  MASK,
  configSecrets,
  isCredentialHeader,
  isSecretName,
  maskConfigInput,
  maskConfigText,
  maskData,
  maskText,
  redactSecrets,
} from "@/lib/agent-protocol/mask";
import { Rng } from "@/lib/testing/fuzz";

const SEED = 0x5eed_c0de;

/** The fuzzers' generator (mulberry32), as a function. */
const rng = (seed: number) => {
  const r = new Rng(seed);
  return () => r.next();
};

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const NON_ASCII = ["é", "ß", "ü", "Ω", "ж", "日", "本", "🔑"];
const NASTY = `'" \\#@:/%$?&=;{}`;

function generatePasswords(count: number): string[] {
  const next = rng(SEED);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const out: string[] = [];
  // Every printable character at least once, in the middle of a password.
  for (const c of PRINTABLE) out.push(`pw${c}Q7${c}z9`);
  out.push(`it's a "pass word"`, `a'b"c d\\e#f@g:h/i%20j$HOME`, `  leading and trailing  `, `\\'`, `'\\''`, `%41%zz%`, `日本語のパスワード🔑`);
  for (let i = 0; i < count; i++) {
    const length = 8 + Math.floor(next() * 20);
    let pw = "";
    for (let j = 0; j < length; j++) {
      const r = next();
      pw += r < 0.08 ? pick(NON_ASCII) : r < 0.35 ? pick([...NASTY]) : pick(PRINTABLE);
    }
    out.push(pw);
  }
  return out;
}

const passwords = generatePasswords(250);

// Ways a password is written into its carriers.
const conninfoQuoted = (pw: string) => `'${pw.replace(/[\\']/g, "\\$&")}'`;
const conninfoBare = (pw: string) => pw.replace(/[\\\s']/g, "\\$&");
const hapDouble = (v: string) => `"${v.replace(/[\\"$]/g, "\\$&")}"`;
const hapSingle = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
const hapBare = (v: string) => v.replace(/[ \t#\\'"$]/g, "\\$&");

/** Every form of the password that must not survive masking. */
function forms(pw: string): string[] {
  const all = [
    pw,
    encodeURIComponent(pw),
    JSON.stringify(pw).slice(1, -1),
    conninfoQuoted(pw).slice(1, -1),
    conninfoBare(pw),
    hapDouble(pw).slice(1, -1),
    hapSingle(pw).slice(1, -1),
    hapBare(pw),
  ];
  const u = new URL("postgresql://app@h/db");
  u.password = pw;
  all.push(u.password);
  return [...new Set(all)];
}

function expectMasked(masked: string, expected: string, pw: string, label: string) {
  for (const f of forms(pw))
    expect(masked.includes(f), `${label}: ${JSON.stringify(pw)} survives as ${JSON.stringify(f)} in ${JSON.stringify(masked)}`).toBe(false);
  expect(masked, `${label}: ${JSON.stringify(pw)}`).toBe(expected);
}

describe("URL userinfo", () => {
  const schemes = ["postgresql", "postgres", "mysql", "redis", "mongodb", "amqp", "http", "https"];

  it("hides a percent-encoded password in any scheme, and nothing else", () => {
    for (const pw of passwords) {
      for (const scheme of schemes) {
        const text = `${scheme}://app:${encodeURIComponent(pw)}@db.example:5432/shop?sslmode=require`;
        const expected = `${scheme}://app:${MASK}@db.example:5432/shop?sslmode=require`;
        expectMasked(maskText(text), expected, pw, `${scheme} URL`);
        expectMasked(maskText(`could not connect to ${text}: timeout`), `could not connect to ${expected}: timeout`, pw, `${scheme} URL in a message`);
      }
    }
  });

  it("hides a password as the WHATWG serializer writes it (what a promotion's re-pointed URL holds)", () => {
    for (const pw of passwords) {
      const u = new URL("postgresql://app@db.example:5432/shop");
      u.password = pw;
      expectMasked(maskText(u.href), `postgresql://app:${MASK}@db.example:5432/shop`, pw, "serialized URL");
    }
  });

  it("hides a raw (unencoded) password, as libpq and the WHATWG parser read it", () => {
    for (const pw of passwords) {
      const raw = pw.replace(/\//g, "");
      if (raw.trim() !== raw || raw === "") continue;
      for (const scheme of ["postgresql", "mysql", "redis"]) {
        const text = `${scheme}://app:${raw}@db.example:5432/shop`;
        expectMasked(maskText(text), `${scheme}://app:${MASK}@db.example:5432/shop`, raw, `raw ${scheme} URL`);
      }
      const web = raw.replace(/[?#\\]/g, "");
      expectMasked(maskText(`https://app:${web}@api.example/v1`), `https://app:${MASK}@api.example/v1`, web, "raw https URL");
    }
  });

  it("leaves URLs without a password alone", () => {
    for (const text of [
      "postgresql://app@db:5432/shop",
      "https://example.com:443/@me",
      "http://h/x?next=a:b@c",
      "see https://example.com/users/@me and mail ops@example.com",
    ]) {
      expect(maskText(text)).toBe(text);
    }
  });
});

describe("conninfo", () => {
  it("hides a quoted or bare password (and any secret-named key), keeping every other pair", () => {
    for (const pw of passwords) {
      for (const [form, value] of [
        ["quoted", conninfoQuoted(pw)],
        ["bare", conninfoBare(pw)],
      ] as const) {
        for (const key of ["password", "sslpassword"]) {
          const text = `host=db.example port=5432 user=app ${key}=${value} dbname=shop sslmode=require`;
          const expected = `host=db.example port=5432 user=app ${key}=${MASK} dbname=shop sslmode=require`;
          expectMasked(maskText(text), expected, pw, `${form} conninfo ${key}`);
          // In PostgreSQL settings (e.g. primary_conninfo), JSON-escaped.
          const json = canonicalJson({ settings: { primary_conninfo: text, work_mem: "64MB" } });
          expectMasked(
            maskConfigText("POSTGRES", json),
            canonicalJson({ settings: { primary_conninfo: expected, work_mem: "64MB" } }),
            pw,
            `${form} conninfo in settings`,
          );
        }
      }
    }
  });

  it("hides an unterminated quoted value to the end", () => {
    expect(maskText("host=h password='abc def user=x")).toBe(`host=h password=${MASK}`);
  });

  it("hides secret query parameters only", () => {
    expect(maskText("https://h/cb?code=1&access_token=abc.def&state=x")).toBe(`https://h/cb?code=1&access_token=${MASK}&state=x`);
  });
});

describe("HAProxy", () => {
  const headerLines: Array<[string, (v: string) => string, string]> = [
    [
      "set-header",
      (v) => `    http-request set-header Authorization ${v} if { path_beg /api }`,
      `    http-request set-header Authorization ${MASK} if { path_beg /api }`,
    ],
    ["proxy auth", (v) => `    http-request set-header Proxy-Authorization ${v}`, `    http-request set-header Proxy-Authorization ${MASK}`],
    ["add-header", (v) => `\thttp-request add-header X-Api-Key ${v}`, `\thttp-request add-header X-Api-Key ${MASK}`],
    ["response cookie", (v) => `    http-response add-header Set-Cookie ${v}`, `    http-response add-header Set-Cookie ${MASK}`],
    [
      "after-response",
      (v) => `    http-after-response set-header X-Auth-Token ${v} unless { status 500 }`,
      `    http-after-response set-header X-Auth-Token ${MASK} unless { status 500 }`,
    ],
    ["request cookie", (v) => `    http-request set-header Cookie ${v}`, `    http-request set-header Cookie ${MASK}`],
    ["secret-named", (v) => `    http-request set-header X-Service-Secret ${v}`, `    http-request set-header X-Service-Secret ${MASK}`],
    [
      "http-check send",
      (v) => `    http-check send meth GET uri /health ver HTTP/1.1 hdr X-Api-Key ${v} hdr Host example.com`,
      `    http-check send meth GET uri /health ver HTTP/1.1 hdr X-Api-Key ${MASK} hdr Host example.com`,
    ],
    [
      "return",
      (v) => `    http-request return status 200 content-type text/plain hdr Authorization ${v} string ok`,
      `    http-request return status 200 content-type text/plain hdr Authorization ${MASK} string ok`,
    ],
    ["replace-header", (v) => `    http-request replace-header Authorization ^.*$ ${v}`, `    http-request replace-header Authorization ${MASK} ${MASK}`],
    ["ACL pattern", (v) => `    acl api_ok req.hdr(x-api-key) -m str ${v}`, `    acl api_ok req.hdr(x-api-key) -m str ${MASK}`],
    [
      "anonymous ACL",
      (v) => `    http-request deny unless { req.hdr(authorization) -m str ${v} }`,
      `    http-request deny unless { req.hdr(authorization) -m str ${MASK} }`,
    ],
    ["commented out", (v) => `    # http-request set-header Authorization ${v}`, `    # http-request set-header Authorization ${MASK}`],
  ];

  it("hides credential header values written in double quotes, single quotes or with backslashes", () => {
    for (const pw of passwords) {
      const value = `Bearer ${pw}`;
      for (const [form, quote] of [
        ["double", hapDouble],
        ["single", hapSingle],
        ["bare", hapBare],
      ] as const) {
        for (const [label, line, expected] of headerLines)
          expectMasked(maskConfigText("HAPROXY", `frontend fe\n${line(quote(value))}\n`), `frontend fe\n${expected}\n`, pw, `${label} (${form})`);
      }
    }
  });

  it("hides userlist passwords and stats auth passwords, keeping the user", () => {
    for (const pw of passwords) {
      for (const [form, quote] of [
        ["double", hapDouble],
        ["single", hapSingle],
        ["bare", hapBare],
      ] as const) {
        const text = `userlist ops\n    user admin password ${quote(pw)} groups ops\n    user bob insecure-password ${quote(pw)}\n`;
        expectMasked(
          maskConfigText("HAPROXY", text),
          `userlist ops\n    user admin password ${MASK} groups ops\n    user bob insecure-password ${MASK}\n`,
          pw,
          `userlist (${form})`,
        );
      }
      expectMasked(
        maskConfigText("HAPROXY", `listen stats\n    stats auth admin:${hapBare(pw)}\n`),
        `listen stats\n    stats auth admin:${MASK}\n`,
        pw,
        "stats auth (bare)",
      );
      expectMasked(
        maskConfigText("HAPROXY", `listen stats\n    stats auth ${hapDouble(`admin:${pw}`)}\n`),
        `listen stats\n    stats auth "admin:${MASK}"\n`,
        pw,
        "stats auth (double)",
      );
    }
  });

  it("hides the password of any URL in a word", () => {
    for (const pw of passwords) {
      const url = `https://ops:${encodeURIComponent(pw)}@status.example/x`;
      const masked = `https://ops:${MASK}@status.example/x`;
      for (const [form, quote] of [
        ["double", hapDouble],
        ["bare", hapBare],
      ] as const) {
        const line = `    http-request redirect location ${quote(url)} code 302`;
        expectMasked(maskConfigText("HAPROXY", line), `    http-request redirect location ${quote(masked)} code 302`, pw, `redirect URL (${form})`);
      }
    }
  });

  it("hides credentials inside httpchk's version string and a tcp-check AUTH", () => {
    expect(maskConfigText("HAPROXY", "    option httpchk GET /health HTTP/1.1\\r\\nAuthorization:\\ Basic\\ dXNlcjpwYXNz")).toBe(
      `    option httpchk GET /health HTTP/1.1\\r\\nAuthorization:\\ ${MASK}`,
    );
    expect(maskConfigText("HAPROXY", "    tcp-check send AUTH\\ s3cret\\r\\n")).toBe(`    tcp-check send AUTH\\ ${MASK}\\r\\n`);
    expect(maskConfigText("HAPROXY", '    tcp-check send "AUTH s3cret"')).toBe(`    tcp-check send "AUTH ${MASK}"`);
    expect(maskConfigText("HAPROXY", "    http-request set-var(txn.api_token) str(s3cret)")).toBe(`    http-request set-var(txn.api_token) ${MASK}`);
    // Redis's own protocol, and the same bytes in hex.
    expect(maskConfigText("HAPROXY", '    tcp-check send "*2\\r\\n$4\\r\\nAUTH\\r\\n$6\\r\\ns3cret\\r\\n"')).not.toContain("s3cret");
    expect(maskConfigText("HAPROXY", "    tcp-check send-binary 2a320d0a24340d0a415554480d0a24360d0a7333637265740d0a")).toBe(
      `    tcp-check send-binary ${MASK}`,
    );
    expect(maskConfigText("HAPROXY", "    tcp-check send PING\\r\\n")).toBe("    tcp-check send PING\\r\\n");
    expect(maskConfigText("HAPROXY", "    setenv DB_PASSWORD s3cret")).toBe(`    setenv DB_PASSWORD ${MASK}`);
  });

  it("hides what a `#` cut off a secret, and a token passed as a URL's user name", () => {
    // HAProxy reads `abc` and a comment; the admin meant `abc#def`.
    expect(maskConfigText("HAPROXY", "    user bob password abc#def")).toBe(`    user bob password ${MASK}#${MASK}`);
    expect(maskConfigText("HAPROXY", "    http-request set-header X-Api-Key abc # rotated monthly")).toBe(
      `    http-request set-header X-Api-Key ${MASK} # rotated monthly`,
    );
    expect(maskText("clone https://ghp_t0ken@github.com/org/repo")).toBe(`clone https://${MASK}@github.com/org/repo`);
    expect(maskText("postgresql://app@db/shop")).toBe("postgresql://app@db/shop");
  });

  it("masks a line HAProxy cannot cut from the broken word on, and keeps prose comments", () => {
    expect(maskConfigText("HAPROXY", '    http-request set-header Authorization "Bearer s3cret')).toBe(`    http-request set-header Authorization ${MASK}`);
    expect(maskConfigText("HAPROXY", "    http-request set-header X-Api-Key 's3cret")).toBe(`    http-request set-header X-Api-Key ${MASK}`);
    expect(maskConfigText("HAPROXY", "    user bob password")).toBe("    user bob password");
    expect(maskConfigText("HAPROXY", "    # don't reload during business hours")).toBe("    # don't reload during business hours");
    expect(maskConfigText("HAPROXY", '    # old: http-request set-header Authorization "Bearer s3cret')).not.toContain("s3cret");
  });

  it("leaves a generated configuration and ordinary directives exactly as they are", () => {
    const input = haproxyInput.parse({
      frontendExtra:
        "http-request set-header X-Forwarded-Proto https\nhttp-request auth realm Admins unless { http_auth(ops) }\nacl has_auth req.hdr(authorization) -m found",
      backendExtra: "http-check send meth GET uri /health hdr Host example.com\nhttp-request set-header X-Request-Id %[uuid]",
      extraSections: "userlist ops\n    group admins\nbackend be_tokens\n    server token-svc token-svc:8443 check",
    });
    const text = renderHaproxy(
      { loadBalancer: { name: "edge-1", host: "10.0.0.1", port: 80 }, members: [{ name: "app-1", host: "10.0.0.2", port: 8080, weight: 100, backup: false }] },
      input,
      {
        statsSocket: "/run/haproxy/admin.sock",
        pidFile: "/run/haproxy/haproxy.pid",
      },
    );
    expect(maskConfigText("HAPROXY", text)).toBe(text);
  });
});

describe("JSON settings", () => {
  it("hides values under secret-named keys at any depth and URL passwords, keeping the text's form", () => {
    for (const pw of passwords) {
      const url = (p: string) => `postgresql://app:${p}@db.example:5432/shop`;
      const settings = { database: { url: url(encodeURIComponent(pw)) }, sessionIdleSeconds: 60, logLevel: "info" };
      expectMasked(maskConfigText("APP", canonicalJson(settings)), canonicalJson({ ...settings, database: { url: url(MASK) } }), pw, "app settings");
      const nested = { name: "visible", apiToken: pw, nested: { db_password: pw, list: [{ secret: pw, port: 5432 }], clientSecret: { value: pw, n: 7 } } };
      const expected = {
        name: "visible",
        apiToken: MASK,
        nested: { db_password: MASK, list: [{ secret: MASK, port: 5432 }], clientSecret: { value: MASK, n: MASK } },
      };
      expectMasked(maskConfigText("APP", canonicalJson(nested)), canonicalJson(expected), pw, "secret keys (canonical)");
      expectMasked(maskConfigText("APP", JSON.stringify(nested)), JSON.stringify(expected), pw, "secret keys (compact)");
    }
  });

  it("leaves names that only look secret-ish alone", () => {
    const text = canonicalJson({ sessionIdleSeconds: 60, author: "ops", keyId: "k1", stickyCookie: "SERVERID", passive: true });
    expect(maskConfigText("APP", text)).toBe(text);
  });

  it("hides what follows a secret name in text that is not JSON (a target's file edited by hand)", () => {
    const masked = maskConfigText("APP", 'password: hunter2\nlogLevel: info\n{"database": {"url": "postgresql://app:s3cret@db/shop"\n"token": "abc');
    for (const s of ["hunter2", "s3cret", "abc"]) expect(masked).not.toContain(s);
    expect(masked).toContain("logLevel: info");
  });
});

describe("inputs, data and messages", () => {
  it("masks an HAProxy input's free-form lines as HAProxy lines and an app input's values", () => {
    for (const pw of passwords.slice(0, 60)) {
      const input = {
        stickyCookie: "SERVERID",
        bind: ":8080",
        frontendExtra: `http-request set-header Authorization ${hapDouble(`Bearer ${pw}`)}`,
        extraSections: `userlist ops\n    user admin password ${hapBare(pw)}`,
      };
      const masked = maskConfigInput("HAPROXY", input);
      expect(masked).toEqual({
        stickyCookie: "SERVERID",
        bind: ":8080",
        frontendExtra: `http-request set-header Authorization ${MASK}`,
        extraSections: `userlist ops\n    user admin password ${MASK}`,
      });
      const app = maskConfigInput("APP", { database: { url: `postgresql://app:${encodeURIComponent(pw)}@db/shop` }, sessionIdleSeconds: 60 });
      expect(app).toEqual({ database: { url: `postgresql://app:${MASK}@db/shop` }, sessionIdleSeconds: 60 });
    }
  });

  it("masks event data, audit summaries and operation params", () => {
    const data = { operationId: "op1", summary: "agent at https://u:pw123@h:7070 answered 500", nested: { password: "x", count: 3, list: ["Bearer abc.def"] } };
    expect(maskData(data)).toEqual({
      operationId: "op1",
      summary: `agent at https://u:${MASK}@h:7070 answered 500`,
      nested: { password: MASK, count: 3, list: [`Bearer ${MASK}`] },
    });
  });

  it("finds the secrets of a configuration so that a message quoting one is redacted", () => {
    const text = "frontend fe\n    http-request set-header Authorization Bearer s3cretTOKEN\n";
    const message = "line 2: 'http-request set-header' expects either 'if' or 'unless' followed by a condition but found 's3cretTOKEN'.";
    expect(redactSecrets(message, configSecrets("HAPROXY", text))).not.toContain("s3cretTOKEN");
  });

  it("names: secret-named keys and credential headers", () => {
    for (const n of [
      "password",
      "DB_PASSWORD",
      "dbPassword",
      "sslpassword",
      "passwd",
      "apiKey",
      "X-Api-Key",
      "api_key",
      "APIKey",
      "access_token",
      "clientSecret",
      "private-key",
      "auth",
      "X-Auth-Token",
      "Authorization",
      "credentials",
      "pwd",
    ])
      expect(isSecretName(n), n).toBe(true);
    for (const n of ["author", "keyId", "sessionIdleSeconds", "stickyCookie", "passfile", "host", "checksum", "bypass", "compass"])
      expect(isSecretName(n), n).toBe(false);
    for (const n of ["Cookie", "Set-Cookie", "Proxy-Authorization", "X-Session-Secret"]) expect(isCredentialHeader(n), n).toBe(true);
    for (const n of ["Host", "X-Forwarded-For", "Content-Type", "X-Request-Id"]) expect(isCredentialHeader(n), n).toBe(false);
  });
});

describe("robustness", () => {
  it("takes time linear in the text, even for text built to make it backtrack", () => {
    // A revision is read by anyone with config:read: a quadratic masker would let one stall the console.
    const hostile = [
      "a://".repeat(30000),
      "x://a:b@c ".repeat(20000),
      " password='".repeat(20000),
      ' password="x'.repeat(20000),
      '"password": "'.repeat(15000),
      "http://" + "@".repeat(100000),
      "#".repeat(100000),
    ];
    for (const text of hostile) {
      const started = performance.now();
      for (const kind of ["HAPROXY", "APP"] as const) maskConfigText(kind, text);
      maskText(text);
      expect(performance.now() - started, text.slice(0, 20)).toBeLessThan(5000);
    }
  });

  it("never throws on random text of every kind", () => {
    const next = rng(SEED + 1);
    const alphabet = [
      ...PRINTABLE,
      "\n",
      "\t",
      "\r",
      ...NON_ASCII,
      "://",
      "password=",
      "Authorization",
      "hdr",
      "set-header",
      '"',
      "'",
      "\\",
      "{",
      "}",
      "[",
      "]",
      ":",
      ",",
    ];
    for (let i = 0; i < 1500; i++) {
      let text = "";
      const length = Math.floor(next() * 120);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)];
      for (const kind of ["APP", "POSTGRES", "HAPROXY", null] as const) {
        expect(typeof maskConfigText(kind, text)).toBe("string");
        expect(Array.isArray(configSecrets(kind, text))).toBe(true);
        expect(maskConfigInput(kind, { text, list: [text] })).toBeTypeOf("object");
      }
      expect(typeof maskText(text)).toBe("string");
    }
  });
});
