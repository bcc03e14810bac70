package backends

// groupBConstructors is the constructor table of provider group B.
func groupBConstructors() map[string]constructor {
	return map[string]constructor{}
}
