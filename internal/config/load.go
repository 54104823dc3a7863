package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// Load returns Default() overlaid with the YAML file at path. Keys are those
// of the yaml tags of Config (listen, mediaPort, timers.dropTimeout, …);
// settings the file leaves out, or gives an empty value, keep their default.
// Durations are Go duration strings ("20s", "500ms"). An unknown key is an
// error naming it (with its line); so is a file holding more than one YAML
// document. An empty file is no error.
//
// Load does not validate the result: see [Config.Validate].
func Load(path string) (Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("config file: %w", err)
	}
	if err := decode(data, &cfg); err != nil {
		return cfg, fmt.Errorf("config file %s: %w", path, err)
	}
	return cfg, nil
}

// Resolve builds the configuration from, lowest precedence first: the
// defaults, the YAML file named by --config (else by $COHOST_CONFIG; none
// when both are empty), the COHOST_* environment variables read through
// getenv, and the flags of fs (registered by [BindFlags]) that were set. fs
// may be nil. Resolve does not validate the result.
func Resolve(fs *pflag.FlagSet, getenv func(string) string) (Config, error) {
	path := getenv(EnvConfigFile)
	if fs != nil {
		if f := fs.Lookup(FlagConfigFile); f != nil && f.Changed {
			path = f.Value.String()
		}
	}
	cfg := Default()
	if path != "" {
		var err error
		if cfg, err = Load(path); err != nil {
			return cfg, err
		}
	}
	if err := ApplyEnv(&cfg, getenv); err != nil {
		return cfg, fmt.Errorf("environment: %w", err)
	}
	if fs != nil {
		if err := ApplyFlags(fs, &cfg); err != nil {
			return cfg, fmt.Errorf("flags: %w", err)
		}
	}
	return cfg, nil
}

// decode overlays the YAML document in data on cfg.
func decode(data []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty file
		}
		return err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return err
		}
		return fmt.Errorf("line %d: more than one YAML document", extra.Line)
	}
	if err := check(&doc, reflect.TypeFor[Config](), ""); err != nil {
		return err
	}
	if err := doc.Decode(cfg); err != nil {
		// Left: values out of range. Drop the "yaml: unmarshal errors:"
		// heading, keep the lines.
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return errors.New(strings.Join(te.Errors, "\n"))
		}
		return err
	}
	return nil
}

var durationType = reflect.TypeFor[time.Duration]()

// check reports the keys of n that have no field in t, and malformed
// durations, naming each by its path from the top of the file.
func check(n *yaml.Node, t reflect.Type, path string) error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return check(n.Content[0], t, path)
	}
	if isNull(n) {
		return nil // keeps the default
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	where := path
	if where == "" {
		where = "the top level"
	}
	switch {
	case t == durationType:
		if n.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: %s: expected a duration such as \"20s\"", n.Line, where)
		}
		if _, err := time.ParseDuration(n.Value); err != nil {
			return fmt.Errorf("line %d: %s: invalid duration %q (use a Go duration such as 20s or 500ms)", n.Line, where, n.Value)
		}
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: %s: expected a mapping of keys", n.Line, where)
		}
		fields := yamlFields(t)
		var errs []error
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := joinKey(path, k.Value)
			ft, ok := fields[k.Value]
			if !ok {
				msg := fmt.Sprintf("line %d: unknown key %q", k.Line, key)
				if s := suggest(k.Value, fields); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", joinKey(path, s))
				}
				errs = append(errs, errors.New(msg))
				continue
			}
			if err := check(v, ft, key); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("line %d: %s: expected a list", n.Line, where)
		}
		var errs []error
		for i, e := range n.Content {
			if err := check(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	default:
		if n.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: %s: expected a single value", n.Line, where)
		}
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if n.ShortTag() != "!!int" {
				return fmt.Errorf("line %d: %s: %q is not an integer", n.Line, where, n.Value)
			}
		case reflect.Bool:
			if n.ShortTag() != "!!bool" && !yaml11Bool[n.Value] {
				return fmt.Errorf("line %d: %s: %q is not true or false", n.Line, where, n.Value)
			}
		}
	}
	return nil
}

// yaml11Bool holds the YAML 1.1 booleans that yaml.v3 still decodes into a
// bool field.
var yaml11Bool = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true, "off": true, "Off": true, "OFF": true,
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps the yaml keys of struct type t to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	m := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f.Type
	}
	return m
}

// suggest returns the known key closest to key, if close enough to be a
// likely typo.
func suggest(key string, fields map[string]reflect.Type) string {
	best, bestDist := "", 3
	for name := range fields {
		if strings.EqualFold(name, key) {
			return name
		}
		if d := distance(strings.ToLower(name), strings.ToLower(key)); d < bestDist || (d == bestDist && name < best) {
			best, bestDist = name, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
