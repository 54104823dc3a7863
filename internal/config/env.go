package config

import (
	"errors"
	"fmt"
)

// ApplyEnv overlays the COHOST_* environment variables read through getenv
// (os.Getenv in the binary) on cfg. An empty or unset variable leaves its
// setting alone. COHOST_APP_ID (with COHOST_APP_CERTIFICATE, which may be
// empty) replaces every configured app with that one app.
//
// Every malformed variable is reported, each error naming its variable, e.g.
// `COHOST_DROP_TIMEOUT: invalid duration "20"`. On error cfg may be partly
// updated.
func ApplyEnv(cfg *Config, getenv func(string) string) error {
	var errs []error
	for _, s := range settings {
		text := getenv(s.env)
		if text == "" {
			continue
		}
		v, err := s.parse(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.env, err))
			continue
		}
		s.assign(cfg, v)
	}
	id, cert := getenv(envAppID), getenv(envAppCertificate)
	if err := setApp(cfg, id, id != "", cert, cert != "", envAppID, envAppCertificate); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
