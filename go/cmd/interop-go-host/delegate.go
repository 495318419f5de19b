package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"

	"interop-bench/go/bench"
)

// sourceDir is the Go module's directory as the compiler saw it (empty with -trimpath).
func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Dir(filepath.Dir(filepath.Dir(file))) // go/cmd/interop-go-host/x.go -> go/
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return ""
	}
	return dir
}

// delegate builds (or reuses) the sibling binary <this binary>-<suffix> with the
// runtime's build tags and replaces this process with it, same arguments. It returns
// only when that is impossible.
func delegate(f bench.Factory, args []string, guest string, progress io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find this executable: %w", err)
	}
	target := exe + "-" + f.DelegateSuffix
	if f.Build != nil {
		// A binary per guest module (wasm2go: the guest translated and linked in).
		if guest == "" {
			return fmt.Errorf("--guest is required for runtime %s", f.Name)
		}
		if target, err = f.Build(guest, progress); err != nil {
			return err
		}
	} else if src := sourceDir(); src != "" {
		// go build is incremental: when nothing changed this only checks the cache.
		cmd := exec.Command("go", "build", "-tags", f.BuildTags, "-o", target, "./cmd/interop-go-host")
		cmd.Dir = src
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		// The build dies with this driver (and the driver with interop-bench: its
		// PR_SET_PDEATHSIG is kept across the exec below). Pdeathsig follows the thread
		// that started the child, so that thread stays put until it ends.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		runtime.LockOSThread()
		err := cmd.Run()
		runtime.UnlockOSThread()
		if err != nil {
			return fmt.Errorf("building the %s driver (go build -tags %s in %s) failed: %v: %s",
				f.Name, f.BuildTags, src, err, bytes.TrimSpace(out.Bytes()))
		}
	} else if _, err := os.Stat(target); err != nil {
		return fmt.Errorf("needs the separately built binary %s (go build -tags %s -o %s ./cmd/interop-go-host), and the sources to build it are not known to this binary",
			target, f.BuildTags, target)
	}
	argv := append([]string{target}, args...)
	return fmt.Errorf("cannot start %s: %w", target, syscall.Exec(target, argv, os.Environ()))
}

// reportDelegateFailure emits the runtime event and one failure per scenario, so the
// runtime is reported as failing rather than silently absent.
func reportDelegateFailure(emit *bench.Emitter, f bench.Factory, err error, scenFile string, only []string, stderr io.Writer) int {
	if scenFile == "" {
		return usageErr(stderr, "--scenarios-file is required")
	}
	list, lerr := bench.LoadScenarios(scenFile)
	if lerr != nil {
		return usageErr(stderr, "%v", lerr)
	}
	scenarios, lerr := bench.Select(list, "wasm", only)
	if lerr != nil {
		return usageErr(stderr, "%v", lerr)
	}
	failAll(emit, bench.DelegateInfo(f), scenarios, err.Error())
	return 0
}
