// The password of a URL, in any `scheme://`, cut where its consumer cuts it:
// the WHATWG parser for every URL, libpq's reading as well for the others
// (see the spec in ./index.ts).

import { isSpace, type Span } from "@/lib/agent-protocol/mask/spans";

const SCHEME = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*):\/\//g;
/** WHATWG "special" schemes: their authority also ends at `\`, and a browser's reading is the only one. */
const WEB_SCHEMES = new Set(["http", "https", "ws", "wss", "ftp", "file"]);

/** How the WHATWG parser reads `candidate` (a URL cut at the end of its authority): parsed at all, with a user name, with a password. */
function whatwgUserinfo(candidate: string): { parsed: boolean; username: boolean; password: boolean } {
  try {
    const url = new URL(candidate);
    return { parsed: true, username: !!url.username, password: !!url.password };
  } catch {
    return { parsed: false, username: false, password: false };
  }
}

export function urlPasswordSpans(s: string, spans: Span[]) {
  if (!s.includes("://")) return;
  let skipUntil = 0;
  for (const m of s.matchAll(SCHEME)) {
    const p = m.index;
    if (p < skipUntil) continue;
    const scheme = m[1]!.toLowerCase();
    const special = WEB_SCHEMES.has(scheme);
    const auth = p + m[0].length;
    // One pass to the first `/` (or the line's end): where the authority ends for WHATWG (also at ? # and, for
    // web schemes, \), where the first whitespace is, and where the last @ is. Each character is read once
    // per URL, and a URL's authority ends at the next one's "//", so a text is read a bounded number of times.
    let authorityEnd = -1;
    let tokenEnd = -1;
    let lastAt = -1;
    let i = auth;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === "/" || c === "\n" || c === "\r") break;
      if (authorityEnd < 0 && (c === "?" || c === "#" || (special && c === "\\"))) authorityEnd = i;
      if (tokenEnd < 0 && isSpace(c)) tokenEnd = i;
      if (c === "@") lastAt = i;
    }
    if (lastAt < 0) continue; // no userinfo, in any reading
    const slashEnd = i;
    if (authorityEnd < 0) authorityEnd = slashEnd;
    if (tokenEnd < 0) tokenEnd = slashEnd;
    // WHATWG, on the URL up to the first whitespace, then with whitespace kept (a raw password may hold a space).
    let end = -1;
    const tokenCut = Math.min(tokenEnd, authorityEnd);
    const onToken = whatwgUserinfo(s.slice(p, tokenCut));
    const tokenAt = s.lastIndexOf("@", tokenCut - 1);
    if (onToken.password && tokenAt >= auth) end = tokenAt;
    if (tokenEnd < authorityEnd && whatwgUserinfo(s.slice(p, authorityEnd)).password) end = Math.max(end, s.lastIndexOf("@", authorityEnd - 1));
    // libpq: the userinfo is what precedes the last @ before the first /.
    if ((!special || !onToken.parsed) && s.slice(auth, lastAt).includes(":")) end = Math.max(end, lastAt);
    const colon = end > auth ? s.indexOf(":", auth) : -1;
    if (colon >= 0 && colon + 1 < end) {
      spans.push([colon + 1, end]);
      skipUntil = end;
    } else if (end < 0 && special && onToken.username && !onToken.password && tokenAt >= auth) {
      // https://<token>@host: on the web a user name alone is how tokens travel (git, registries).
      spans.push([auth, tokenAt]);
      skipUntil = tokenAt;
    }
  }
}
