// The OpenID Connect provider for next-auth, and what its sign-in does. The
// ID token is verified (signature, issuer, audience, nonce) by next-auth's
// openid-client; the claims used are the ID token's merged with the userinfo
// endpoint's, because providers differ in where they put email and groups
// (oidc-provider, Keycloak and Okta's defaults put them in userinfo only).
import "server-only";
import { randomUUID } from "node:crypto";
import type { OAuthConfig } from "next-auth/providers/oauth";
// next-auth's own dependency; its types describe what the callback really hands us.
import type { TokenSet } from "openid-client";
import type { OidcSettings } from "@/lib/env";
import { groupsFromClaim, roleForGroups } from "@/lib/auth/oidc-roles";
import { signInWithSso, type SsoResult } from "@/lib/users/sso";

export const OIDC_PROVIDER_ID = "oidc";

export type OidcClaims = { iss: string; sub: string; email?: unknown; name?: unknown; preferred_username?: unknown; [claim: string]: unknown };

export function oidcProvider(settings: OidcSettings): OAuthConfig<OidcClaims> {
  return {
    id: OIDC_PROVIDER_ID,
    name: settings.name,
    type: "oauth",
    wellKnown: `${settings.issuer}/.well-known/openid-configuration`,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    authorization: { params: { scope: settings.scopes } },
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    userinfo: {
      async request({ tokens, client }) {
        // With idToken: true, next-auth passes the TokenSet from client.callback(), ID token verified.
        const set = tokens as TokenSet;
        const idClaims = set.claims();
        // openid-client refuses userinfo whose sub differs from the ID token's.
        const extra = client.issuer.metadata.userinfo_endpoint && set.access_token ? await client.userinfo(set) : {};
        // Who the user is comes from the verified ID token, whatever userinfo says.
        return { ...idClaims, ...extra, iss: idClaims.iss, sub: idClaims.sub };
      },
    },
    profile(claims) {
      return {
        id: claims.sub,
        email: typeof claims.email === "string" ? claims.email : null,
        name: typeof claims.name === "string" ? claims.name : null,
      };
    },
  };
}

/** next-auth's signIn callback for this provider: provision and open a session, or say why not. */
export async function oidcSignIn(
  settings: OidcSettings,
  claims: OidcClaims,
  request: { clientIp: string | null; userAgent: string | null },
): Promise<SsoResult> {
  const groups = groupsFromClaim(claims[settings.groupsClaim]);
  return signInWithSso(
    {
      issuer: claims.iss,
      subject: claims.sub,
      email: claims.email,
      name: typeof claims.name === "string" && claims.name.trim() ? claims.name : claims.preferred_username,
      groups,
      role: roleForGroups(groups, settings.groups),
    },
    { requestId: randomUUID(), ...request },
  );
}
