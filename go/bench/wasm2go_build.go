package bench

// The wasm2go runtime: the guest is translated ahead of time into Go by ncruces/wasm2go
// (the version go.mod pins with a `tool` directive, run as `go tool wasm2go`), and a
// worker binary is built with the translation linked in, so that its timed loops call
// the generated methods directly. This file is the driver's side: translate once per
// module (cached by the module's sha256), generate the worker's glue (wasm2go_main.tmpl),
// build it with `go build -overlay` (the generated files never enter the source tree;
// go's own cache makes a rebuild cheap), and hand the run to it. wasm2go_runtime.go is
// the worker's side.

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/template"
)

// Wasm2goVersion is the translator version go.mod pins (tool directive).
const Wasm2goVersion = "v0.4.22"

const wasm2goNotes = "ncruces/wasm2go " + Wasm2goVersion + ": the guest translated into a Go package and built into the worker " +
	"(cached by the module's sha256); direct = the generated methods called from loops generated with the translation " +
	"(one recover around each timed loop), func = the generic scenario bodies through typed closures (a recover per call); " +
	"view = the module's memory slice held, copy = the slice fetched per access then copy(); host import through the generated " +
	"env interface; instantiate = New (a fresh module); compile = translate + go build of a program linking the translation " +
	"(one op a sample); no validation (trusted input only), a trap is a Go panic, a runaway guest cannot be interrupted"

func init() {
	register(Factory{Name: "wasm2go", Delegate: true, Build: BuildWasm2goWorker, Notes: wasm2goNotes})
}

// Wasm2goCallAPIs are the call APIs of the wasm2go runtime: direct (generated loops) and
// func (the scenario bodies shared with every engine, through closures).
var Wasm2goCallAPIs = []string{"direct", "func"}

func wasm2goInfo() RuntimeInfo {
	return RuntimeInfo{Runtime: "wasm2go", Engine: "wasm2go", Version: Wasm2goVersion,
		CallAPIs: Wasm2goCallAPIs, MemoryAPIs: []string{"view", "copy"}, Notes: wasm2goNotes}
}

// goModuleDir is this Go module's directory as the compiler saw it (empty with -trimpath
// or when the sources are gone): the translator and the worker are built from there.
func goModuleDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Dir(filepath.Dir(file)) // go/bench/x.go -> go/
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return ""
	}
	return dir
}

// wasm2goCacheDir is where translations and workers are kept:
// $XDG_CACHE_HOME/interop-bench/wasm2go (or the OS's user cache dir).
func wasm2goCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for wasm2go translations: %w", err)
	}
	return filepath.Join(base, "interop-bench", "wasm2go"), nil
}

// Wasm2goTool returns the path of the pinned translator binary (built by `go tool` once,
// from go.mod's tool directive).
func Wasm2goTool(src string) (string, error) {
	cmd := exec.Command("go", "tool", "-n", "wasm2go")
	cmd.Dir = src
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("cannot build the wasm2go translator (go tool -n wasm2go in %s): %v: %s", src, err, bytes.TrimSpace(errb.Bytes()))
	}
	return strings.TrimSpace(out.String()), nil
}

// Translate runs wasm2go on wasm into goFile as package pkg. A module the translator
// rejects (wasm2go does not validate, but it cannot translate what it cannot decode) is
// an error that says so, with the translator's own message.
func Translate(tool string, wasm []byte, pkg, goFile string) error {
	cmd := exec.Command(tool, "-pkg", pkg, "-o", goFile)
	cmd.Stdin = bytes.NewReader(wasm)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &errb, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("wasm2go %s rejected the module (it cannot be translated to Go): %s", Wasm2goVersion, msg)
	}
	return nil
}

// goExport is one method of the generated Module: a Wasm export.
type goExport struct {
	Name string // the Wasm export name (the method is X + Name for the names of our ABI)
	Sig  string // "(i32, i32) -> i32", or "" when it is not a function of Wasm types
	Kind string // "func" or what else it is
}

// genInfo is what the worker's template needs to know about the translation.
type genInfo struct {
	Sha       string
	GuestPkg  string // import path of the translated package
	Exports   map[string]goExport
	NewArgs   []string // the parameter types of New (the import interfaces)
	EnvExtra  []string // methods of Xenv other than Xhost_inc(int32) int32
	HasMemory bool
}

// Has reports whether the module exports name with signature sig (the template's test).
func (g genInfo) Has(name, sig string) bool {
	e, ok := g.Exports[name]
	return ok && e.Sig == sig
}

// ImportsOK reports whether the module imports only what this host provides:
// env.host_inc (i32) -> i32, or nothing.
func (g genInfo) ImportsOK() bool {
	if len(g.EnvExtra) > 0 {
		return false
	}
	return len(g.NewArgs) == 0 || (len(g.NewArgs) == 1 && g.NewArgs[0] == "Xenv")
}

// ImportsProblem says what this host cannot provide.
func (g genInfo) ImportsProblem() string {
	var parts []string
	for _, a := range g.NewArgs {
		if a != "Xenv" {
			parts = append(parts, "module "+strings.TrimPrefix(a, "X"))
		}
	}
	for _, m := range g.EnvExtra {
		parts = append(parts, "env."+m)
	}
	return "the guest imports from " + strings.Join(parts, ", ") + "; this host provides only env.host_inc (i32) -> i32"
}

var goWasmType = map[string]string{"int32": "i32", "int64": "i64", "float32": "f32", "float64": "f64"}

func fieldTypes(fl *ast.FieldList) ([]string, bool) {
	var out []string
	if fl == nil {
		return out, true
	}
	for _, f := range fl.List {
		id, ok := f.Type.(*ast.Ident)
		if !ok {
			return nil, false
		}
		t, ok := goWasmType[id.Name]
		if !ok {
			return nil, false
		}
		n := len(f.Names)
		if n == 0 {
			n = 1
		}
		for i := 0; i < n; i++ {
			out = append(out, t)
		}
	}
	return out, true
}

// inspectTranslation reads the exports, imports and memory of a translated package.
func inspectTranslation(goFile string) (genInfo, error) {
	g := genInfo{Exports: map[string]goExport{}}
	f, err := parser.ParseFile(token.NewFileSet(), goFile, nil, parser.SkipObjectResolution)
	if err != nil {
		return g, fmt.Errorf("reading the translation %s: %w", goFile, err)
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				if d.Name.Name == "New" {
					for _, p := range d.Type.Params.List {
						name := fmt.Sprint(p.Type)
						n := len(p.Names)
						if n == 0 {
							n = 1
						}
						for i := 0; i < n; i++ {
							g.NewArgs = append(g.NewArgs, name)
						}
					}
				}
				continue
			}
			star, ok := d.Recv.List[0].Type.(*ast.StarExpr)
			if !ok || fmt.Sprint(star.X) != "Module" || !strings.HasPrefix(d.Name.Name, "X") {
				continue
			}
			name := strings.TrimPrefix(d.Name.Name, "X")
			ps, ok1 := fieldTypes(d.Type.Params)
			rs, ok2 := fieldTypes(d.Type.Results)
			if !ok1 || !ok2 {
				// Not a function of Wasm types: a memory (Memory), a global (*T), a table (*[]T).
				kind := "global"
				if r := d.Type.Results; r != nil && len(r.List) == 1 {
					if fmt.Sprint(r.List[0].Type) == "Memory" {
						kind = "memory"
					} else if st, ok := r.List[0].Type.(*ast.StarExpr); ok {
						if _, ok := st.X.(*ast.ArrayType); ok {
							kind = "table"
						}
					}
				}
				if name == "memory" && kind == "memory" {
					g.HasMemory = true
				}
				g.Exports[name] = goExport{Name: name, Kind: kind}
				continue
			}
			sig := "(" + strings.Join(ps, ", ") + ") -> "
			switch len(rs) {
			case 0:
				sig += "()"
			case 1:
				sig += rs[0]
			default:
				sig += "(" + strings.Join(rs, ", ") + ")"
			}
			g.Exports[name] = goExport{Name: name, Sig: sig, Kind: "func"}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				ts, ok := s.(*ast.TypeSpec)
				if !ok || ts.Name.Name != "Xenv" {
					continue
				}
				it, ok := ts.Type.(*ast.InterfaceType)
				if !ok {
					continue
				}
				for _, m := range it.Methods.List {
					for _, n := range m.Names {
						ft, _ := m.Type.(*ast.FuncType)
						ps, _ := fieldTypes(ft.Params)
						rs, _ := fieldTypes(ft.Results)
						if n.Name == "Xhost_inc" && strings.Join(ps, ",") == "i32" && strings.Join(rs, ",") == "i32" {
							continue
						}
						g.EnvExtra = append(g.EnvExtra, strings.TrimPrefix(n.Name, "X"))
					}
				}
			}
		}
	}
	sort.Strings(g.EnvExtra)
	return g, nil
}

//go:embed wasm2go_main.tmpl
var wasm2goMainTmpl string

// Wasm2goWorker is a built worker binary for one module.
type Wasm2goWorker struct {
	Exe string
	Dir string // the cache directory of this module
}

// BuildWasm2goWorker translates the module at guestPath (once per sha256), generates the
// worker's glue and builds the worker; progress goes to progress. It returns the worker
// binary's path.
func BuildWasm2goWorker(guestPath string, progress io.Writer) (string, error) {
	wasm, err := ReadGuest(guestPath)
	if err != nil {
		return "", err
	}
	w, err := buildWasm2go(wasm, progress)
	if err != nil {
		return "", err
	}
	return w.Exe, nil
}

func buildWasm2go(wasm []byte, progress io.Writer) (Wasm2goWorker, error) {
	src := goModuleDir()
	if src == "" {
		return Wasm2goWorker{}, fmt.Errorf("wasm2go needs the Go host's sources (to run the pinned translator and build the worker), and this binary does not know where they are (built with -trimpath?)")
	}
	sum := sha256.Sum256(wasm)
	sha := hex.EncodeToString(sum[:])
	cache, err := wasm2goCacheDir()
	if err != nil {
		return Wasm2goWorker{}, err
	}
	key := sha[:16] + "-" + Wasm2goVersion
	dir := filepath.Join(cache, key)
	goFile := filepath.Join(dir, "guest.go")
	if _, err := os.Stat(goFile); err != nil {
		fmt.Fprintf(progress, "wasm2go: translating the guest %s (%d B) to Go...\n", sha[:16], len(wasm))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return Wasm2goWorker{}, fmt.Errorf("wasm2go cache: %w", err)
		}
		tool, err := Wasm2goTool(src)
		if err != nil {
			return Wasm2goWorker{}, err
		}
		tmp := goFile + ".tmp"
		if err := Translate(tool, wasm, "guest", tmp); err != nil {
			os.Remove(tmp)
			return Wasm2goWorker{}, err
		}
		if err := os.Rename(tmp, goFile); err != nil {
			return Wasm2goWorker{}, fmt.Errorf("wasm2go cache: %w", err)
		}
	}
	g, err := inspectTranslation(goFile)
	if err != nil {
		return Wasm2goWorker{}, err
	}
	g.Sha = sha
	virt := filepath.Join(src, "internal", "wasm2gogen", "g"+sha[:16])
	g.GuestPkg = "interop-bench/go/internal/wasm2gogen/g" + sha[:16] + "/guest"
	var main bytes.Buffer
	tmpl, err := template.New("main").Parse(wasm2goMainTmpl)
	if err != nil {
		return Wasm2goWorker{}, fmt.Errorf("wasm2go worker template: %w", err)
	}
	if err := tmpl.Execute(&main, g); err != nil {
		return Wasm2goWorker{}, fmt.Errorf("wasm2go worker template: %w", err)
	}
	// The glue and the worker depend on the driver's sources (this checkout's template
	// and code), not only on the module: they live in a folder of their own per source
	// tree and glue, so that two checkouts (or branches) sharing the cache never build
	// with each other's glue. go build is incremental inside it.
	wkey := sha256.Sum256(append([]byte(src+"\x00"), main.Bytes()...))
	wdir := filepath.Join(dir, "worker-"+hex.EncodeToString(wkey[:])[:16])
	if err := os.MkdirAll(wdir, 0o755); err != nil {
		return Wasm2goWorker{}, fmt.Errorf("wasm2go cache: %w", err)
	}
	mainFile := filepath.Join(wdir, "zz_wasm2go_worker.go")
	if err := writeIfChanged(mainFile, main.Bytes()); err != nil {
		return Wasm2goWorker{}, err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {
		filepath.Join(virt, "guest", "guest.go"):                             goFile,
		filepath.Join(src, "cmd", "interop-go-host", "zz_wasm2go_worker.go"): mainFile,
	}})
	overlayFile := filepath.Join(wdir, "overlay.json")
	if err := writeIfChanged(overlayFile, overlay); err != nil {
		return Wasm2goWorker{}, err
	}
	exe := filepath.Join(wdir, "interop-go-host-wasm2go")
	if _, err := os.Stat(exe); err != nil {
		fmt.Fprintf(progress, "wasm2go: building the worker for guest %s (go build, once per module; may take a minute)...\n", sha[:16])
	}
	// go build is incremental: when nothing changed this only checks go's cache.
	cmd := exec.Command("go", "build", "-overlay", overlayFile, "-o", exe, "./cmd/interop-go-host")
	cmd.Dir = src
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return Wasm2goWorker{}, fmt.Errorf("building the wasm2go worker (go build -overlay %s in %s) failed: %v: %s",
			overlayFile, src, err, bytes.TrimSpace(out.Bytes()))
	}
	return Wasm2goWorker{Exe: exe, Dir: dir}, nil
}

func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("wasm2go cache: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("wasm2go cache: %w", err)
	}
	return nil
}
