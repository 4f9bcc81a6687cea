// A real OpenID Connect provider for the end-to-end tests (panva's
// oidc-provider, the certified implementation), on loopback over plain
// http: one static confidential client (the console), a few accounts with
// `groups` claims, and oidc-provider's development login form, which takes
// any password. Test-only: never point a real console at it.
//
// Besides the provider's own routes it answers PUT /__e2e/groups/<login>
// (JSON array of group names), so a test can change a user's groups at the
// provider and see the console apply them at the next sign-in.
//
//   node --import tsx e2e/oidc/provider.ts     (port: E2E_OIDC_PORT, default 3190)
import http from "node:http";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { E2E } from "../env";

const { oidc } = E2E;
const accounts = structuredClone(oidc.accounts);
const scope = "openid email profile groups";

const configuration: Configuration = {
  clients: [
    {
      client_id: oidc.clientId,
      client_secret: oidc.clientSecret,
      redirect_uris: [`${E2E.baseURL}/api/auth/callback/oidc`],
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
  // Claims are read at each token and userinfo request, so a change of groups shows at the next sign-in.
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: account.email, email_verified: true, name: account.name, groups: account.groups };
      },
    };
  },
  // The console is a first-party client: no consent screen (oidc-provider's documented way to skip it).
  async loadExistingGrant(ctx: KoaContextWithOIDC) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
    grant.addOIDCScope(scope);
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["e2e-oidc-cookie-signing-key-1"] },
  pkce: { required: () => true },
};

const provider = new Provider(oidc.issuer, configuration);
const providerHandler = provider.callback();

const server = http.createServer((req, res) => {
  const control = /^\/__e2e\/groups\/([\w-]+)$/.exec(req.url ?? "");
  if (!control) return providerHandler(req, res);
  const account = accounts[control[1]!];
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const groups: unknown = (() => {
      try {
        return JSON.parse(body);
      } catch {
        return null;
      }
    })();
    if (req.method !== "PUT" || !account || !Array.isArray(groups) || !groups.every((g) => typeof g === "string")) {
      res.writeHead(400).end("PUT a JSON array of group names to /__e2e/groups/<known login>\n");
      return;
    }
    account.groups = groups;
    res.writeHead(204).end();
  });
});

server.listen(oidc.port, "127.0.0.1", () => console.log(`test OIDC provider at ${oidc.issuer}`));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.close(() => process.exit(0)));
