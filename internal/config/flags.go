package config

import (
	"fmt"

	"github.com/spf13/pflag"
)

// BindFlags registers on fs one flag per setting (--listen, --media-port,
// --drop-timeout, --max-users-per-channel, …), the one-app flags --app-id and
// --app-certificate, and --config (the YAML file). Each flag's help states
// its environment variable and, from cfg's current values (normally
// Default()), its default.
//
// Parsing fs writes the flags into cfg. To layer the flags that were set
// over a file and the environment, use [Resolve], or [ApplyFlags] on a
// configuration built from them.
func BindFlags(fs *pflag.FlagSet, cfg *Config) {
	fs.String(FlagConfigFile, "", fmt.Sprintf("YAML configuration file (env %s)", EnvConfigFile))
	for i := range settings {
		s := &settings[i]
		v := &settingValue{s: s, cfg: cfg}
		f := fs.VarPF(v, s.flag, "", fmt.Sprintf("%s (env %s)", s.usage, s.env))
		if s.kind == kindBool {
			f.NoOptDefVal = "true"
		}
		if s.key == "tlsKey" {
			bindAppFlags(fs, cfg)
		}
	}
}

func bindAppFlags(fs *pflag.FlagSet, cfg *Config) {
	app := &appFlags{cfg: cfg}
	fs.Var(&appFlag{app: app, cert: false}, flagAppID,
		fmt.Sprintf("App ID (32 hex characters) of the one app to accept; replaces the apps of the config file (env %s)", envAppID))
	fs.Var(&appFlag{app: app, cert: true}, flagAppCertificate,
		fmt.Sprintf("App Certificate (32 hex characters) of --app-id; without it the app is in testing mode. Prefer the env var: flags are visible to other local users (env %s)", envAppCertificate))
}

// ApplyFlags overlays on cfg the flags of fs registered by [BindFlags] that
// were set on the command line; flags left at their default change nothing.
// --app-id replaces every configured app with that one app (with
// --app-certificate, or none); --app-certificate without --app-id is an
// error.
func ApplyFlags(fs *pflag.FlagSet, cfg *Config) error {
	var (
		id, cert       string
		idSet, certSet bool
	)
	fs.Visit(func(f *pflag.Flag) {
		switch v := f.Value.(type) {
		case *settingValue:
			if v.set {
				v.s.assign(cfg, v.val)
			}
		case *appFlag:
			if v.cert {
				cert, certSet = v.app.cert, true
			} else {
				id, idSet = v.app.id, true
			}
		}
	})
	return setApp(cfg, id, idSet, cert, certSet, "--"+flagAppID, "--"+flagAppCertificate)
}

// settingValue is the pflag.Value of one setting. It keeps the parsed value
// so that ApplyFlags can replay it on another Config.
type settingValue struct {
	s   *setting
	cfg *Config // written on Set
	val any     // last value set
	set bool
}

func (v *settingValue) String() string {
	if v == nil || v.s == nil {
		return ""
	}
	switch {
	case v.set:
		var c Config
		v.s.assign(&c, v.val)
		return v.s.format(&c)
	case v.cfg != nil:
		return v.s.format(v.cfg)
	}
	return ""
}

func (v *settingValue) Set(text string) error {
	val, err := v.s.parse(text)
	if err != nil {
		return err
	}
	v.val, v.set = val, true
	if v.cfg != nil {
		v.s.assign(v.cfg, val)
	}
	return nil
}

func (v *settingValue) Type() string { return v.s.kind.String() }

// appFlags holds --app-id and --app-certificate, which together make one
// app.
type appFlags struct {
	cfg      *Config
	id, cert string
	idSet    bool
}

// appFlag is the pflag.Value of --app-id (cert false) or --app-certificate.
type appFlag struct {
	app  *appFlags
	cert bool
}

func (f *appFlag) String() string {
	if f == nil || f.app == nil {
		return ""
	}
	if f.cert {
		return f.app.cert
	}
	return f.app.id
}

func (f *appFlag) Set(text string) error {
	a := f.app
	if f.cert {
		a.cert = text
	} else {
		a.id, a.idSet = text, true
	}
	if a.idSet && a.cfg != nil {
		a.cfg.Apps = []App{{ID: a.id, Certificate: a.cert}}
	}
	return nil
}

func (f *appFlag) Type() string { return "string" }
