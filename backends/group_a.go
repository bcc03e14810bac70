package backends

// groupAConstructors is the constructor table of provider group A.
func groupAConstructors() map[string]constructor {
	return map[string]constructor{}
}
