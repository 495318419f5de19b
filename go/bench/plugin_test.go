package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadPluginReadsTheExampleAndRefusesUnknownKeys(t *testing.T) {
	f, err := LoadPlugin("../../scenarios/builtin-as-file.toml")
	if err != nil {
		t.Fatal(err)
	}
	sel, err := f.Names([]string{"string_roundtrip_file"})
	if err != nil || len(sel) != 1 {
		t.Fatalf("select: %v %v", sel, err)
	}
	cases, err := f.cases(&f.Scenarios[2])
	if err != nil || len(cases) != 1 || cases[0].params["bytes"] != 64 || string(cases[0].input) != string(TextBytes(64)) {
		t.Fatalf("cases: %+v %v", cases, err)
	}
	if cases[0].sha256 != "d67a40fa2d5a45db33d10e7baf5f9264f5bef388d1c320e409e0985150fd7022" {
		t.Fatalf("sha256 %q", cases[0].sha256)
	}
	if _, err := f.Names([]string{"nope"}); err == nil {
		t.Fatal("an unknown scenario name must be refused")
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("schema = 1\n[[scenario]]\nname = \"a\"\nexport = \"no_op\"\nchek = \"completes\"\n"), 0o644)
	if _, err := LoadPlugin(bad); err == nil || !strings.Contains(err.Error(), "chek") {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestGenericCallRefusesSignaturesTheAdaptersDoNotCall(t *testing.T) {
	if _, err := genericCall(nil, "f", "call", []string{"i64"}, nil); err == nil || !strings.Contains(err.Error(), "(i64) -> ()") {
		t.Fatalf("got %v", err)
	}
}
