//! Fault injection: bad flags, results files in the way, two runs on one file, signals to
//! the run's process group, a full disk, guests that hog memory, trap in their start
//! function or import what no host provides. Each test checks the exit status, the
//! message, what is kept on disk and that nothing is left behind (temporary folder,
//! `*.json.tmp<pid>`, lock file, worker processes). No test asserts a time.

use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_interop-bench"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn rows(v: &Value) -> usize {
    v["results"].as_array().map(|a| a.len()).unwrap_or(0)
}

fn write_wat(dir: &Path, name: &str, wat: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, wat::parse_str(wat).unwrap()).unwrap();
    p
}

/// A test's sandbox: the run's working directory and its own TMPDIR, so that anything
/// left behind is visible.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        Sandbox { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn tmp(&self) -> PathBuf {
        self.path().join("tmp")
    }

    /// `interop-bench ARGS`, in the sandbox, in a process group of its own.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = bin();
        c.args(args).current_dir(self.path()).env("TMPDIR", self.tmp()).process_group(0);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.cmd(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
    }

    /// A quick run of `scenarios` on wasmtime (and the native baselines) with `guest`,
    /// writing `out`, left running.
    fn spawn_on_wasmtime(&self, scenarios: &str, out: &str, guest: &Path) -> Child {
        self.spawn(&args(&["--scenarios", scenarios, "--runtimes", "wasmtime", "--out", out, "--guest", guest.to_str().unwrap()]))
    }

    /// Files a run must not leave: its temporary folder, partial results, locks.
    fn leftovers(&self) -> Vec<String> {
        let mut left = Vec::new();
        for e in std::fs::read_dir(self.tmp()).unwrap().flatten() {
            left.push(e.path().display().to_string());
        }
        let mut stack = vec![self.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                if p.is_dir() {
                    if p != self.tmp() {
                        stack.push(p);
                    }
                } else if name.contains(".tmp") || name.ends_with(".lock") {
                    left.push(p.display().to_string());
                }
            }
        }
        left
    }
}

fn wait_until(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Processes whose command line mentions this run's temporary folder: its workers.
fn workers_of(run_pid: u32) -> String {
    let o = Command::new("pgrep").args(["-a", "-f", &format!("interop-bench-{run_pid}-")]).output().unwrap();
    text(&o.stdout)
}

fn rows_on_disk(out: &Path) -> usize {
    std::fs::read_to_string(out).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok()).map(|v| rows(&v)).unwrap_or(0)
}

fn kill_group(child: &Child, sig: libc::c_int) {
    // SAFETY: signals the process group the test started (process_group(0): its id is the child's pid).
    assert_eq!(unsafe { libc::kill(-(child.id() as libc::pid_t), sig) }, 0);
}

fn stderr_of(child: &mut Child) -> String {
    use std::io::Read;
    let mut s = String::new();
    child.stderr.take().unwrap().read_to_string(&mut s).unwrap();
    s
}

/// `no_op` never returns; `add_numbers` works.
const HANGING: &str = r#"(module
    (import "env" "host_inc" (func (param i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "no_op") (loop br 0))
    (func (export "add_numbers") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#;

const QUICK: &[&str] = &["run", "--quick", "--hosts", "rust", "--no-progress"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    QUICK.iter().copied().chain(extra.iter().copied()).collect()
}

#[test]
fn flags_that_used_to_crash_are_refused_by_the_parser_and_leave_nothing() {
    let sb = Sandbox::new();
    for (flag, value) in [
        ("--timeout", "nan"),
        ("--timeout", "inf"),
        ("--timeout", "1e30"),
        ("--warmup-ms", "inf"),
        ("--warmup-ms", "nan"),
        ("--target-sample-ms", "inf"),
        ("--target-sample-ms", "nan"),
        ("--target-sample-ms", "1e300"),
        ("--samples", "18446744073709551615"),
        ("--max-memory-mib", "0"),
        ("--processes", "0"),
        ("--processes", "9"),
    ] {
        let o = sb.run(&args(&[flag, value]));
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains(&format!("invalid value '{value}' for '{flag}")), "{flag} {value}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!sb.path().join("results").exists(), "a refused run wrote results");
    assert_eq!(sb.leftovers(), Vec::<String>::new());
}

#[test]
fn an_existing_results_file_is_never_replaced_without_force() {
    let sb = Sandbox::new();
    let out = sb.path().join("r.json");
    std::fs::write(&out, "precious").unwrap();
    std::fs::write(out.with_extension("html"), "precious html").unwrap();
    let o = sb.run(&args(&["--scenarios", "empty", "--out", "r.json"]));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("r.json already exists: pass --force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    // Only the .html in the way: refused too.
    std::fs::remove_file(&out).unwrap();
    let o = sb.run(&args(&["--scenarios", "empty", "--out", "r.json"]));
    assert!(text(&o.stderr).contains("r.html already exists"), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(out.with_extension("html")).unwrap(), "precious html");
    assert_eq!(sb.leftovers(), Vec::<String>::new());
    // With --force it is replaced, by a complete run.
    std::fs::write(&out, "precious").unwrap();
    let o = sb.run(&args(&["--scenarios", "empty", "--out", "r.json", "--force"]));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(load(&out)["complete"], true);
    assert!(std::fs::read_to_string(out.with_extension("html")).unwrap().contains("<html"));
    assert_eq!(sb.leftovers(), Vec::<String>::new());
}

#[test]
fn force_replaces_nothing_until_there_is_a_row_and_an_interrupt_says_so() {
    let sb = Sandbox::new();
    let guest = write_wat(sb.path(), "hang.wasm", HANGING);
    let out = sb.path().join("r.json");
    std::fs::write(&out, "precious").unwrap();
    // Only noop on wasmtime: the run hangs before its first row.
    let mut child =
        sb.spawn(&args(&["--scenarios", "noop", "--runtimes", "wasmtime", "--out", "r.json", "--force", "--guest", guest.to_str().unwrap()]));
    let pid = child.id();
    wait_until("the worker started", 120, || !workers_of(pid).is_empty());
    kill_group(&child, libc::SIGTERM);
    let status = child.wait().unwrap();
    let err = stderr_of(&mut child);
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{err}");
    assert!(err.contains("interrupted by SIGTERM before the first row: nothing was written"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious", "--force replaced the file before any row");
    wait_until("the worker died with the run", 10, || workers_of(pid).is_empty());
    assert_eq!(sb.leftovers(), Vec::<String>::new());
}

#[test]
fn two_runs_on_one_file_the_second_is_refused_and_ctrl_c_says_where_the_rows_are() {
    let sb = Sandbox::new();
    let guest = write_wat(sb.path(), "hang.wasm", HANGING);
    let out = sb.path().join("shared.json");
    let mut first = sb.spawn_on_wasmtime("empty,native_call,noop", "shared.json", &guest);
    wait_until("the first run's baseline rows", 120, || rows_on_disk(&out) >= 2);
    let o = sb.run(&args(&["--scenarios", "empty", "--out", "shared.json", "--force"]));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("another interop-bench run (pid {}) is writing shared.json", first.id())), "{err}");
    assert_eq!(rows_on_disk(&out), 2, "the refused run touched the file");
    // Ctrl-C (SIGINT to the process group): the rows stay, and the run says where.
    let pid = first.id();
    kill_group(&first, libc::SIGINT);
    let status = first.wait().unwrap();
    let err = stderr_of(&mut first);
    assert_eq!(status.code(), Some(128 + libc::SIGINT), "{err}");
    assert!(
        err.contains("interrupted by SIGINT (Ctrl-C); the 2 row(s)") && err.contains("interop-bench report shared.json"),
        "{err}"
    );
    let v = load(&out);
    assert_eq!((v["complete"].as_bool(), rows(&v)), (Some(false), 2));
    wait_until("the hung worker died with the run", 10, || workers_of(pid).is_empty());
    assert_eq!(sb.leftovers(), Vec::<String>::new());
    // The file is free again: a run with --force takes it.
    let o = sb.run(&args(&["--scenarios", "empty", "--out", "shared.json", "--force"]));
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn runs_started_together_get_files_of_their_own() {
    let sb = Sandbox::new();
    let children: Vec<Child> = (0..3).map(|_| sb.spawn(&args(&["--scenarios", "empty,native_call"]))).collect();
    for mut c in children {
        let status = c.wait().unwrap();
        assert!(status.success(), "{}", stderr_of(&mut c));
    }
    let files: Vec<PathBuf> = std::fs::read_dir(sb.path().join("results"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
    for f in &files {
        assert_eq!(rows(&load(f)), 2, "{}", f.display());
    }
    assert_eq!(sb.leftovers(), Vec::<String>::new());
}

#[test]
fn every_terminating_signal_to_the_group_keeps_the_rows_and_cleans_up() {
    let sb = Sandbox::new();
    let guest = write_wat(sb.path(), "hang.wasm", HANGING);
    for (sig, name) in [(libc::SIGTERM, "SIGTERM"), (libc::SIGHUP, "SIGHUP")] {
        let out = sb.path().join(format!("{name}.json"));
        let mut child = sb.spawn_on_wasmtime("empty,native_call,noop", out.to_str().unwrap(), &guest);
        let pid = child.id();
        wait_until("the baseline rows", 120, || rows_on_disk(&out) >= 2);
        wait_until("the hanging worker", 60, || workers_of(pid).contains("wasmtime"));
        kill_group(&child, sig);
        let status = child.wait().unwrap();
        let err = stderr_of(&mut child);
        assert_eq!(status.code(), Some(128 + sig), "{name}: {err}");
        assert!(err.contains(&format!("interrupted by {name}; the 2 row(s) and 0 failure(s)")), "{err}");
        let v = load(&out);
        assert_eq!((v["complete"].as_bool(), rows(&v)), (Some(false), 2), "{name}");
        wait_until("the worker died with the run", 10, || workers_of(pid).is_empty());
        assert_eq!(sb.leftovers(), Vec::<String>::new(), "{name}");
    }
}

/// A guest whose `noop` returns and whose `add` never does: its worker sends the noop rows,
/// then spins in add.
const HANGS_IN_ADD: &str = r#"(module
    (import "env" "host_inc" (func (param i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "no_op"))
    (func (export "add_numbers") (param i32 i32) (result i32) (loop br 0) i32.const 0))"#;

/// CPU seconds a process has spent in user mode (/proc/PID/stat, at 100 ticks a second).
fn user_cpu_s(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command's closing parenthesis: state is the first, utime the 12th.
    let after = stat.rsplit_once(')').map(|(_, a)| a).unwrap_or("");
    after.split_whitespace().nth(11).and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0) / 100.0
}

#[test]
fn ctrl_c_saves_the_rows_a_worker_sent_since_the_last_save() {
    // Rows are written at most every guard::SAVE_EVERY while a worker measures: the noop rows
    // arrive well within that of the save after the native worker, so only the interrupt's
    // own save puts them on disk.
    let sb = Sandbox::new();
    let guest = write_wat(sb.path(), "hang_add.wasm", HANGS_IN_ADD);
    let out = sb.path().join("c.json");
    let mut child = sb.spawn_on_wasmtime("empty,native_call,noop,add", out.to_str().unwrap(), &guest);
    let pid = child.id();
    // The wasmtime worker has sent its noop rows once it has spun in add for a second of CPU
    // (a quick row takes milliseconds).
    wait_until("the worker spinning in add", 120, || {
        workers_of(pid).lines().filter(|l| l.contains("wasmtime")).any(|l| user_cpu_s(l.split_whitespace().next().unwrap_or("")) >= 1.0)
    });
    kill_group(&child, libc::SIGINT);
    let status = child.wait().unwrap();
    let err = stderr_of(&mut child);
    assert_eq!(status.code(), Some(128 + libc::SIGINT), "{err}");
    let v = load(&out);
    let noop = v["results"].as_array().unwrap().iter().filter(|r| r["scenario"] == "noop").count();
    assert!(noop >= 1, "the noop rows were not saved: {}", v["results"]);
    assert_eq!(v["complete"], false);
    assert!(err.contains(&format!("interrupted by SIGINT (Ctrl-C); the {} row(s)", rows(&v))), "{err}");
    wait_until("the worker died with the run", 10, || workers_of(pid).is_empty());
    assert_eq!(sb.leftovers(), Vec::<String>::new());
}

#[test]
fn sigkill_leaves_a_folder_the_next_run_removes_and_no_worker() {
    let sb = Sandbox::new();
    let guest = write_wat(sb.path(), "hang.wasm", HANGING);
    let mut child = sb.spawn_on_wasmtime("noop", "k.json", &guest);
    let pid = child.id();
    wait_until("the worker", 120, || !workers_of(pid).is_empty());
    kill_group(&child, libc::SIGKILL);
    child.wait().unwrap();
    wait_until("the worker died with the run (PR_SET_PDEATHSIG)", 10, || workers_of(pid).is_empty());
    assert_eq!(std::fs::read_dir(sb.tmp()).unwrap().count(), 1, "SIGKILL cannot clean up: its folder stays");
    let o = sb.run(&args(&["--scenarios", "empty", "--out", "next.json"]));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_dir(sb.tmp()).unwrap().count(), 0, "the next run removes a dead run's folder");
}

/// A file system with little room: a tmpfs of `kib` KiB if this process may mount one,
/// else `None` (the caller falls back to RLIMIT_FSIZE).
struct SmallDisk {
    mount: PathBuf,
}

impl SmallDisk {
    fn mount(at: &Path, kib: u64) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then(|| SmallDisk { mount: at.to_path_buf() })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mount).status();
    }
}

#[test]
fn a_full_disk_is_said_once_the_run_goes_on_and_its_report_has_every_row() {
    let sb = Sandbox::new();
    let disk_dir = sb.path().join("disk");
    // Room for the guest and some rows, not for every row of three scenarios on wasmtime.
    let disk = SmallDisk::mount(&disk_dir, 48);
    let mut cmd = sb.cmd(&args(&["--runtimes", "wasmtime", "--scenarios", "noop,add,string_roundtrip", "--out", "disk/r.json"]));
    if disk.is_some() {
        // Fill all but 24 KiB.
        let free = fs_free(&disk_dir);
        std::fs::write(disk_dir.join("filler"), vec![0u8; (free.saturating_sub(24 << 10)) as usize]).unwrap();
    } else {
        // No mount here: a 24 KiB file size limit, with SIGXFSZ ignored so writes fail with EFBIG.
        std::fs::create_dir_all(&disk_dir).unwrap();
        // SAFETY: async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let lim = libc::rlimit { rlim_cur: 24 << 10, rlim_max: 24 << 10 };
                libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
                Ok(())
            });
        }
    }
    let o = cmd.output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    // The first refused save is said once, with its cause, and the run goes on.
    assert_eq!(err.matches("the run goes on").count(), 1, "{err}");
    assert!(err.contains("cannot write disk/r.json") && (err.contains("No space left") || err.contains("too large")), "{err}");
    for line in err.lines() {
        assert!(line.matches("os error").count() <= 1, "the cause once a message: {line}");
    }
    // The report has every row measured: more than the file kept, which the last line says.
    let kept = rows_on_disk(&disk_dir.join("r.json"));
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("interop-bench: the run's last save failed"), "{err}");
    let of = format!("holds {kept} of the ");
    let measured: usize = last.split(&of).nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(kept >= 1 && measured > kept, "the rows saved before the disk filled stay readable ({kept}), and the last line says so: {last}");
    // The last row measured, long after the disk filled, is in the report.
    assert!(text(&o.stdout).contains("string_roundtrip/bytes=1048576"), "{}", text(&o.stdout));
    assert!(!err.contains("report:"), "no HTML report is listed that was not written: {err}");
    assert_eq!(sb.leftovers(), Vec::<String>::new());
    drop(disk);
}

fn fs_free(dir: &Path) -> u64 {
    let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: statvfs fills a local struct.
    unsafe {
        let mut s: libc::statvfs = std::mem::zeroed();
        assert_eq!(libc::statvfs(c.as_ptr(), &mut s), 0);
        s.f_bavail * s.f_frsize
    }
}

/// `no_op` grows memory 16 MiB at a time until it cannot. Stopped below 2 GiB (by a
/// limit) it traps with `unreachable`; only at wasm32's own 4 GiB does it divide by zero.
/// `add_numbers` works.
const MEMORY_HOG: &str = r#"(module
    (import "env" "host_inc" (func (param i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "no_op")
        (loop (br_if 0 (i32.ne (memory.grow (i32.const 256)) (i32.const -1))))
        (if (i32.lt_u (memory.size) (i32.const 32768)) (then unreachable))
        (drop (i32.div_u (i32.const 1) (i32.const 0))))
    (func (export "add_numbers") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#;

#[test]
fn a_guest_that_hogs_memory_is_stopped_by_the_limits_and_says_so() {
    let sb = Sandbox::new();
    let guest = write_wat(sb.path(), "hog.wasm", MEMORY_HOG);
    let out = sb.path().join("r.json");
    let o = sb.run(&args(&[
        "--scenarios",
        "noop,add",
        "--runtimes",
        "wasmtime,wasmi,wasmer,wasm3,tinywasm",
        "--max-memory-mib",
        "64",
        "--out",
        "r.json",
        "--guest",
        guest.to_str().unwrap(),
    ]));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let v = load(&out);
    let failures = v["failures"].as_array().unwrap();
    for rt in ["wasmtime", "wasmi", "wasmer", "wasm3", "tinywasm"] {
        let f = failures
            .iter()
            .find(|f| f["runtime"] == rt && f["scenario"] == "noop")
            .unwrap_or_else(|| panic!("{rt}: noop did not fail: {failures:?}"));
        let e = f["error"].as_str().unwrap();
        assert!(!e.contains("the worker failed before"), "{rt}: {e}");
        // Engines with a limit of their own name it; the others are stopped by the OS
        // limit on the worker (RLIMIT_DATA, about 1.1 GiB here) well before 4 GiB.
        assert!(!e.contains("divide") && !e.contains("division"), "{rt}: the guest reached 4 GiB: {e}");
        assert!(e.contains("limit") || e.contains("unreachable"), "{rt}: {e}");
        let adds = v["results"].as_array().unwrap().iter().filter(|r| r["runtime"] == rt && r["scenario"] == "add").count();
        assert!(adds >= 1, "{rt}: add was not measured after noop failed");
    }
    let wt = failures.iter().find(|f| f["runtime"] == "wasmtime" && f["scenario"] == "noop").unwrap();
    assert!(wt["error"].as_str().unwrap().contains("over the limit of 64 MiB (--max-memory-mib)"), "{wt}");
    // Each failure line in the terminal names its cause (the trap, or the signal and the
    // worker's last words), not only the first line of a multi-line error.
    for line in err.lines().filter(|l| l.starts_with('✗')) {
        assert!(line.contains(" … ") || !line.ends_with(':'), "{line}");
    }
    assert_eq!(sb.leftovers(), Vec::<String>::new());
}

/// A start function that traps.
const START_TRAPS: &str = r#"(module
    (import "env" "host_inc" (func (param i32) (result i32)))
    (memory (export "memory") 1)
    (func $start unreachable)
    (start $start)
    (func (export "no_op"))
    (func (export "add_numbers") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#;

#[test]
fn a_start_function_that_traps_is_reported_by_every_engine() {
    let sb = Sandbox::new();
    let guest = write_wat(sb.path(), "start.wasm", START_TRAPS);
    let o = sb.run(&args(&["--scenarios", "noop", "--runtimes", "wasm3,wasmtime", "--out", "r.json", "--guest", guest.to_str().unwrap()]));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let v = load(&sb.path().join("r.json"));
    for rt in ["wasm3", "wasmtime"] {
        let f = v["failures"].as_array().unwrap().iter().find(|f| f["runtime"] == rt).unwrap_or_else(|| panic!("{rt}: {v}"));
        let e = f["error"].as_str().unwrap();
        assert!(!e.contains("the worker died"), "{rt} crashed: {e}");
        assert!(e.contains("unreachable"), "{rt}: the trap is not named: {e}");
    }
    let w3 = v["failures"].as_array().unwrap().iter().find(|f| f["runtime"] == "wasm3").unwrap();
    assert!(w3["error"].as_str().unwrap().contains("start function"), "{w3}");
}

/// `no_op` calls an import no host provides.
const MISSING_IMPORT: &str = r#"(module
    (import "env" "not_provided" (func $np))
    (memory (export "memory") 1)
    (func (export "no_op") call $np)
    (func (export "add_numbers") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#;

#[test]
fn a_missing_import_is_called_a_missing_import() {
    let sb = Sandbox::new();
    let guest = write_wat(sb.path(), "import.wasm", MISSING_IMPORT);
    let o = sb.run(&args(&["--scenarios", "noop", "--runtimes", "wasm3,wasmtime", "--out", "r.json", "--guest", guest.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    // Said once before the run, too: the built-in scenarios link env.host_inc only.
    let note = text(&o.stderr).lines().next().unwrap_or_default().to_string();
    assert!(note.contains("imports what the built-in scenarios do not link") && note.contains(": env.not_provided;"), "{note}");
    let v = load(&sb.path().join("r.json"));
    for f in v["failures"].as_array().unwrap() {
        let e = f["error"].as_str().unwrap();
        assert!(e.contains("not_provided"), "{}: the missing import is not named: {e}", f["runtime"]);
        assert!(!e.contains("no function named `no_op`"), "{}: a missing import called a missing export: {e}", f["runtime"]);
    }
}

#[test]
fn go_workers_and_the_wasmer_go_delegate_die_with_the_run() {
    if Command::new("go").arg("version").output().map(|o| !o.status.success()).unwrap_or(true) {
        eprintln!("skipped: no Go toolchain");
        return;
    }
    let sb = Sandbox::new();
    let guest = write_wat(sb.path(), "hang.wasm", HANGING);
    // wasmer-go runs in a delegate binary the Go driver builds and execs into.
    for (runtime, worker) in [("wazero:interpreter", "interop-go-host --runtime"), ("wasmer-go", "interop-go-host-wasmer --runtime")] {
        let out = format!("{}.json", runtime.replace(':', "-"));
        let mut child = sb.spawn(&[
            "run", "--quick", "--hosts", "go", "--no-progress", "--scenarios", "noop", "--runtimes", runtime, "--out", &out,
            "--guest", guest.to_str().unwrap(),
        ]);
        let pid = child.id();
        wait_until(&format!("the {runtime} worker"), 300, || workers_of(pid).contains(worker));
        std::thread::sleep(Duration::from_millis(500));
        kill_group(&child, libc::SIGTERM);
        let status = child.wait().unwrap();
        let err = stderr_of(&mut child);
        assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{runtime}: {err}");
        wait_until(&format!("the {runtime} worker died with the run"), 10, || workers_of(pid).is_empty());
        assert_eq!(sb.leftovers(), Vec::<String>::new(), "{runtime}");
    }
}
