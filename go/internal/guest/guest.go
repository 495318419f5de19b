// Package guest finds the repository's guest module and scenario list for tests and
// benchmarks, building the guest when it is missing.
package guest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// RelPath is where the Rust crate interop-guest-build leaves a copy of the guest module
// for hosts that read it from disk, relative to the repository root.
const RelPath = "guest/target/interop_guest.wasm"

// Root is the repository root: the first directory above the working directory that
// holds both go/go.mod and scenarios/scenarios.toml.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if exists(filepath.Join(dir, "go", "go.mod")) && exists(filepath.Join(dir, "scenarios", "scenarios.toml")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("cannot find the interop-bench repository root above the working directory")
		}
		dir = parent
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ScenariosFile is the path of the one scenario list.
func ScenariosFile() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "scenarios", "scenarios.toml"), nil
}

var (
	once     sync.Once
	path     string
	buildErr error
)

// Path returns the guest module's path; $INTEROP_GUEST overrides it. When the module is
// missing it runs `cargo build --release -p interop-guest-build` at the repository
// root once, and fails with a clear message if that does not produce it.
func Path() (string, error) {
	once.Do(func() {
		if p := os.Getenv("INTEROP_GUEST"); p != "" {
			path = p
			if !exists(p) {
				buildErr = fmt.Errorf("INTEROP_GUEST=%s does not exist", p)
			}
			return
		}
		root, err := Root()
		if err != nil {
			buildErr = err
			return
		}
		path = filepath.Join(root, RelPath)
		if exists(path) {
			return
		}
		cmd := exec.Command("cargo", "build", "--release", "-p", "interop-guest-build")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("the guest module %s is missing and `cargo build --release -p interop-guest-build` in %s failed: %v\n%s",
				path, root, err, out)
			return
		}
		if !exists(path) {
			buildErr = fmt.Errorf("the guest module %s is still missing after `cargo build --release -p interop-guest-build` in %s", path, root)
		}
	})
	return path, buildErr
}

// Bytes reads the guest module (see Path).
func Bytes() ([]byte, error) {
	p, err := Path()
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}
