package config

import (
	"strings"
	"testing"
)

func TestLoadKeyFetchAndAudience(t *testing.T) {
	c, err := Load(writeFile(t, "lucid.yaml", "key_fetch:\n  allow_local: true\nstrict_assertion_audience: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.KeyFetch.AllowLocal || !c.StrictAssertionAudience {
		t.Errorf("got key_fetch %+v strict %v", c.KeyFetch, c.StrictAssertionAudience)
	}
	if _, err := Load(writeFile(t, "lucid.yaml", "key_fetch:\n  allow_private: true\n")); err == nil || !strings.Contains(err.Error(), `"key_fetch.allow_private"`) {
		t.Errorf("a misspelled key_fetch setting: %v", err)
	}
}
