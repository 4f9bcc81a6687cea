// Protects: after sign-in the browser only ever goes to a page of this
// console. The rule is checked on the class of inputs, not on a list: for
// thousands of generated values built from what browsers treat specially
// (backslashes, tabs/CR/LF anywhere, "//", percent-encodings, schemes,
// userinfo, dots, odd Unicode slashes), whatever comes out must resolve to
// the console's origin and to any other origin it is resolved against (it is
// a path, not a host), and be stable when checked again.
import { describe, expect, it } from "vitest";
import { callbackPathOrDefault, MAX_CALLBACK_LENGTH, sameOriginPath } from "@/lib/auth/callback-url";
import { Rng } from "@/lib/testing/fuzz";

const origin = "http://127.0.0.1:3000";
const elsewhere = "https://other.example:8443";

/** What a callback value may turn into: a same-origin path, or nothing. */
function assertStaysHome(raw: string) {
  const out = sameOriginPath(raw, origin);
  if (out === null) return;
  const label = JSON.stringify(raw) + " → " + JSON.stringify(out);
  expect(out.startsWith("/"), label).toBe(true);
  expect(out.startsWith("//"), label).toBe(false);
  expect(/[\t\n\r\\]/.test(out), label).toBe(false);
  expect(new URL(out, origin).origin, label).toBe(origin);
  // A path-only reference: whatever base resolves it, the host is that base's.
  expect(new URL(out, elsewhere).origin, label).toBe(elsewhere);
  expect(sameOriginPath(out, origin), label).toBe(out);
}

/** The fuzzers' generator (mulberry32), as a function. */
const rng = (seed: number) => {
  const r = new Rng(seed);
  return () => r.next();
};

const pieces = [
  "/",
  "//",
  "\\",
  "/\\",
  "\\/",
  "\t",
  "\n",
  "\r",
  "\r\n",
  " ",
  "%09",
  "%0a",
  "%0d",
  "%2f",
  "%2F",
  "%5c",
  "%5C",
  "%2e",
  "%00",
  ".",
  "..",
  "./",
  "../",
  "/./",
  "/../",
  "@",
  ":",
  "?",
  "#",
  "&",
  "=",
  "evil.example",
  "evil.example:80",
  "127.0.0.1",
  "127.0.0.1:3000",
  "localhost",
  "user:pass@",
  "javascript:",
  "JaVaScRiPt:",
  "data:",
  "vbscript:",
  "http:",
  "https:",
  "http://",
  "https://",
  "file:",
  "ftp://",
  "\u3002",
  "\uff0f",
  "\uff3c",
  "\u2215",
  "\u2044",
  "\u00a0",
  "\u200b",
  "\ufeff",
  "nodes",
  "dashboard",
  "alert(1)",
  "%",
  "%%",
  "%zz",
];

describe("sameOriginPath", () => {
  it("keeps paths of the console, with their query and fragment", () => {
    expect(sameOriginPath("/nodes?health=DOWN", origin)).toBe("/nodes?health=DOWN");
    expect(sameOriginPath("/nodes/abc#events", origin)).toBe("/nodes/abc#events");
    expect(sameOriginPath("/", origin)).toBe("/");
    expect(sameOriginPath(`${origin}/config?x=1`, origin)).toBe("/config?x=1");
    // Normalised, never echoed: the parser's form is what is followed.
    expect(sameOriginPath("/a/../nodes", origin)).toBe("/nodes");
    expect(sameOriginPath("/nodes?q=a b", origin)).toBe("/nodes?q=a%20b");
  });

  it("refuses the reported ways off the console", () => {
    for (const raw of ["/\\evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example", "//evil.example"]) {
      expect(sameOriginPath(raw, origin), JSON.stringify(raw)).toBeNull();
    }
  });

  it("keeps what the parser resolves to a path here, even when it looks odd", () => {
    // A tab is dropped: a path of ours. A backslash before "@" ends the host: a path of ours too.
    expect(sameOriginPath("/\tevil.example", origin)).toBe("/evil.example");
    expect(sameOriginPath("http://127.0.0.1:3000\\@evil.example/", origin)).toBe("/@evil.example/");
    // Backslashes left in a query or fragment are encoded, so nothing downstream reads them as a slash.
    expect(sameOriginPath("/nodes?q=\\x#\\y", origin)).toBe("/nodes?q=%5Cx#%5Cy");
  });

  it("refuses other origins, schemes, userinfo and network-path references", () => {
    const refused = [
      "https://evil.example/",
      "http://evil.example",
      "HTTP://EVIL.EXAMPLE/x",
      "https:evil.example",
      "http:\\\\evil.example",
      "javascript:alert(1)",
      " javascript:alert(1)",
      "java\tscript:alert(1)",
      "\njavascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "//evil.example/%2e%2e",
      "\\\\evil.example",
      "/\\/evil.example",
      "\\/\\evil.example",
      "/.//evil.example",
      "/..//evil.example",
      "/%2e//evil.example",
      "https://127.0.0.1:3000@evil.example/",
      "http://user:pass@127.0.0.1:3000/nodes",
      "http://127.0.0.1:3001/nodes",
      "https://127.0.0.1:3000/nodes",
      "",
      "/".repeat(MAX_CALLBACK_LENGTH + 1),
      "/" + "a".repeat(MAX_CALLBACK_LENGTH),
    ];
    for (const raw of refused) expect(sameOriginPath(raw, origin), JSON.stringify(raw.slice(0, 80))).toBeNull();
    for (const raw of [undefined, null, 42, ["/nodes"], { toString: () => "/nodes" }]) expect(sameOriginPath(raw, origin)).toBeNull();
  });

  it("never leads off the console, whatever the value (generated)", () => {
    const random = rng(0x5eed);
    let kept = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + Math.floor(random() * 6);
      let raw = random() < 0.7 ? "/" : "";
      for (let j = 0; j < n; j++) raw += pieces[Math.floor(random() * pieces.length)];
      // Sometimes a control character or a tab/newline in a random place.
      if (random() < 0.3) {
        const at = Math.floor(random() * (raw.length + 1));
        raw = raw.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x21)) + raw.slice(at);
      }
      assertStaysHome(raw);
      if (sameOriginPath(raw, origin) !== null) kept++;
    }
    // The generator does produce legitimate paths too; the rule is not "refuse everything".
    expect(kept).toBeGreaterThan(1000);
  });

  it("does not depend on the console's origin being http on a port", () => {
    expect(sameOriginPath("/nodes", "https://console.example.com")).toBe("/nodes");
    expect(sameOriginPath("https://console.example.com/nodes", "https://console.example.com")).toBe("/nodes");
    expect(sameOriginPath("http://console.example.com/nodes", "https://console.example.com")).toBeNull();
    expect(sameOriginPath("/\\console.example.com.evil.example", "https://console.example.com")).toBeNull();
  });

  it("falls back to the dashboard", () => {
    expect(callbackPathOrDefault("/\\evil.example", origin)).toBe("/dashboard");
    expect(callbackPathOrDefault(undefined, origin)).toBe("/dashboard");
    expect(callbackPathOrDefault("/events", origin)).toBe("/events");
  });
});
