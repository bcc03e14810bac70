package backends

// AzureADTenantOAuth2 is the "azuread-tenant-oauth2" backend: Entra ID
// (Azure AD) through its v1.0 endpoints, for one tenant.
//
// Settings: Key (the app's client id), ClientIDs (further client ids whose
// tokens are accepted), Tenant (the tenant id or domain; "common" when
// empty, as in PSA, which admits every tenant), BaseURL (the authority,
// https://login.microsoftonline.com by default; PSA's AUTHORITY_HOST).
//
// Token check: as PSA does, the token given to Authenticate is verified as a JWT
// of the tenant (pass the id_token; AuthenticateIDToken takes it too, with a
// nonce): Entra's JWKS from the tenant's v1.0 discovery document (with
// ?appid=Key, so app-specific signing keys are found), RS256, iss exactly
// the discovered issuer (https://sts.windows.net/{tid}/; for "common" the
// token's own tid), aud one of Key and ClientIDs, exp, iat within 10
// minutes. An Entra v1.0 access token passes all of that when this app is
// also an API (its aud may be the client id, its issuer is the same), so
// a token with a claim only access tokens carry is refused: scp, idtyp
// "app", appidacr, azpacr, or an appid (the client that obtained it) that
// is not Key or one of ClientIDs
// (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
// "roles" is allowed: id_tokens carry the user's app roles in it
// (https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference). The uid is "sub", as in PSA (pairwise per app, immutable);
// never the UPN or email (nOAuth). The email counts as verified only with
// the optional claim xms_edov.
func AzureADTenantOAuth2(s Settings) *OIDC {
	return entraTenant("azuread-tenant-oauth2", "", "sub", s)
}
