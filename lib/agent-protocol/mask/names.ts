// Which names say "secret": the one test behind JSON keys, conninfo and query
// parameters, header names, HAProxy keywords and variables, so every carrier
// hides the same things.

/** Substrings that make a (lower-cased, separator-free) word secret. */
const SECRET_PARTS = [
  "password",
  "passwd",
  "passphrase",
  "passcode",
  "secret",
  "token",
  "apikey",
  "accesskey",
  "privatekey",
  "credential",
  "authorization",
  "authentication",
  "signature",
  "sessionid",
  "sessid",
];
/** Whole words that are secret on their own. */
const SECRET_WORDS = new Set(["pass", "pwd", "pw", "auth", "psk"]);

/** `dbPassword`, `db_password`, `X-Api-Key`, `APIKey` → its words, lower-cased. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Whether a key, parameter, variable or keyword names a secret. */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (SECRET_WORDS.has(w)) return true;
    // One word that holds a part (`sslpassword`, `xapikey`), or two that spell one (`api`+`key`, `session`+`id`).
    const pair = i + 1 < words.length ? w + words[i + 1] : "";
    if (SECRET_PARTS.some((p) => w.includes(p) || pair === p)) return true;
  }
  return false;
}

/** Whether an HTTP header carries a credential: secret-named, or a cookie. */
export function isCredentialHeader(name: string): boolean {
  if (isSecretName(name)) return true;
  return nameWords(name).some((w) => w.includes("cookie"));
}
