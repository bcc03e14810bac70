package backends

// AzureADV2TenantOAuth2 is the "azuread-v2-tenant-oauth2" backend: Entra
// ID (Azure AD) through its v2.0 endpoints, for one tenant.
//
// Settings: as [AzureADTenantOAuth2].
//
// Token check: the token given to Authenticate is verified as a JWT of the
// tenant, as PSA does (pass the id_token; AuthenticateIDToken takes it too, with
// a nonce): Entra's JWKS from the tenant's v2.0 discovery document (with
// ?appid=Key), RS256, iss exactly the discovered issuer
// (https://login.microsoftonline.com/{tid}/v2.0; for "common" the token's
// own tid), aud one of Key and ClientIDs, azp (the client a v2.0 access
// token was issued to) one of them too, exp, iat within 10 minutes; a
// token with a claim only access tokens carry (scp, idtyp "app", azpacr,
// appidacr, appid) is refused, as [AzureADTenantOAuth2] says.
//
// The uid is "oid", the user's immutable object id (Graph's user id; it
// needs the profile scope). PSA uses preferred_username here, which users
// and admins can change: keying accounts by it allows takeovers (nOAuth),
// so this is a deliberate difference, and associations made by PSA under
// this name do not carry over. The email counts as verified only with the
// optional claim xms_edov.
func AzureADV2TenantOAuth2(s Settings) *OIDC {
	return entraTenant("azuread-v2-tenant-oauth2", "/v2.0", "oid", s)
}
