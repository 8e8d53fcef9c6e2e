package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Load reads a YAML configuration file over the defaults. Durations are Go
// duration strings ("60s", "10m"). A key Lucid does not know is an error
// that names it, so a typo never silently falls back to a default.
func Load(path string) (Config, error) {
	cfg := Default()
	if err := cfg.LoadFile(path); err != nil {
		return Default(), err
	}
	return cfg, nil
}

// LoadFile reads a YAML configuration file over the current settings
// (Load starts from the defaults; `lucid demo` from its own). Keys absent
// from the file keep their values.
func (c *Config) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	next := *c
	if err := next.decodeYAML(data); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	*c = next
	return nil
}

func (c *Config) decodeYAML(data []byte) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file keeps the defaults
		}
		return err
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if err := checkKeys(root, reflect.TypeOf(*c), ""); err != nil {
		return err
	}
	if err := root.Decode(c); err != nil {
		return cleanYAMLError(err)
	}
	return nil
}

// checkKeys walks the document against the struct's yaml tags and reports
// the first unknown key by its full dotted path and line.
func checkKeys(n *yaml.Node, t reflect.Type, prefix string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode {
		// Lists of sections (trusted_issuers) are checked item by item.
		for i, item := range n.Content {
			if err := checkKeys(item, t.Elem(), fmt.Sprintf("%s[%d].", strings.TrimSuffix(prefix, "."), i)); err != nil {
				return err
			}
		}
		return nil
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeOf(time.Time{}) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		where := strings.TrimSuffix(prefix, ".")
		if where == "" {
			where = "the document"
		}
		return fmt.Errorf("line %d: %s must be a mapping of keys to values", n.Line, where)
	}
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = f.Type
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			return fmt.Errorf("line %d: unknown key %q", k.Line, prefix+k.Value)
		}
		if err := checkKeys(v, ft, prefix+k.Value+"."); err != nil {
			return err
		}
	}
	return nil
}

// cleanYAMLError drops yaml.v3's generic prefix; its messages already carry
// the line and the offending value.
func cleanYAMLError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			if strings.HasSuffix(m, "into time.Duration") {
				m += " (write durations like 60s, 10m or 24h)"
			}
			msgs[i] = m
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return err
}

// envPrefix prefixes every environment variable Lucid reads.
const envPrefix = "LUCID_"

// ApplyEnv overrides settings from LUCID_* environment variables, read
// through getenv (os.Getenv in production). A top-level setting foo_bar is
// LUCID_FOO_BAR; a setting in a section, like lifetimes.code, is
// LUCID_LIFETIMES_CODE. Lists (trusted_proxies) are comma-separated. An
// empty variable counts as unset.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	var errs []error
	walkSettings(reflect.ValueOf(c).Elem(), "", func(key string, v reflect.Value) {
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		raw := getenv(name)
		if raw == "" {
			return
		}
		if err := setValue(v, raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	})
	return errors.Join(errs...)
}

// walkSettings calls fn for every leaf setting with its dotted yaml key.
func walkSettings(v reflect.Value, prefix string, fn func(key string, v reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct {
			walkSettings(fv, prefix+name+".", fn)
			continue
		}
		fn(prefix+name, fv)
	}
}

var durationType = reflect.TypeOf(time.Duration(0))

// setValue parses raw into v. Messages quote raw: no secret setting has a
// type that can fail to parse.
func setValue(v reflect.Value, raw string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 60s, 10m or 24h", raw)
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("%q is not a whole number", raw)
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("%q is not true or false", raw)
		}
		v.SetBool(b)
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("%q is not true or false", raw)
		}
		v.Set(reflect.ValueOf(&b))
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		var list []string
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		v.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("cannot be set from the environment (type %s)", v.Type())
	}
	return nil
}
