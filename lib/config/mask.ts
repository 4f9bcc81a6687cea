// Operators and viewers read configurations with their secrets masked:
// passwords inside URLs, and the value of any key or HAProxy keyword that
// names a secret. Admins see the text as it is deployed.
const MASK = "••••••";
const SECRET_KEY = /(password|passwd|secret|token|apikey|api_key|private[_-]?key)/i;

/** Masks the password of every user:password@ URL in a text. */
function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s"']*:)([^@\s"'/]+)(@)/gi, (_m, head: string, _pw: string, at: string) => `${head}${MASK}${at}`);
}

/** JSON: every string value under a secret-looking key; any text: URL passwords and secret keywords. */
export function maskSecrets(content: string): string {
  let text = maskUrlPasswords(content);
  // "password": "…" in JSON
  text = text.replace(/("([^"\\]*)"\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (m, head: string, key: string) => (SECRET_KEY.test(key) ? `${head}"${MASK}"` : m));
  // HAProxy: `user admin password <hash>`, `insecure-password x`, `stats auth user:pass`
  text = text.replace(/^(\s*(?:user\s+\S+\s+)?(?:insecure-)?password\s+)\S+/gim, `$1${MASK}`);
  text = text.replace(/^(\s*stats\s+auth\s+[^:\s]+:)\S+/gim, `$1${MASK}`);
  return text;
}
