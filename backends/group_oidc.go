package backends

// groupOIDCConstructors is the constructor table of provider group OIDC.
func groupOIDCConstructors() map[string]constructor {
	return map[string]constructor{}
}
