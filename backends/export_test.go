package backends

// RequiredSettings lists the settings backend name cannot work without,
// as FromEnv names them after SOCIAL_AUTH_<NAME>_ ("SECRET", "API_URL", ...).
func RequiredSettings(name string) []string { return catalog()[name].requires }
