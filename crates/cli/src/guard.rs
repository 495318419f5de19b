//! What a run leaves on disk, whatever happens to it.
//!
//! - The results file is claimed before anything is measured: a default name no other run
//!   can pick (milliseconds and the process id), an existing file replaced only with
//!   `--force`, and an advisory lock (`std::fs::File::try_lock` on `.<name>.lock` beside
//!   it) so that two runs writing one file are refused with a clear error. The file is
//!   first written when there is a row (or a failure) to write, then as rows arrive, at
//!   most every [`SAVE_EVERY`] while a worker measures, and whenever a worker ends or fails
//!   (see [`save_during_run`]); a terminating signal has the rows still in memory saved
//!   before the run exits.
//! - The temporary folder (guest, scenario list, the Go driver) and the results file's
//!   partial `*.json.tmp<pid>` are removed on every exit path: return, error and panic (a
//!   drop guard), and SIGINT, SIGTERM and SIGHUP (a thread waiting for them, which also
//!   says where the partial results are). SIGKILL leaves the folder; the next run removes
//!   folders of runs that no longer exist.
//! - Workers die with the run: each runs in its own process group (a Ctrl-C reaches the
//!   run, which stops them, not the workers one by one) with `PR_SET_PDEATHSIG` = SIGKILL
//!   (kept across exec, so also the Go driver's wasmer-go delegate), and an OS limit on
//!   its data segment (`RLIMIT_DATA`, see [`worker_data_limit`]).

use anyhow::{bail, Context, Result};
use interop_core::results::ResultsFile;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The default results file: `results/run-<unix ms>-<pid>.json`, unique per process.
pub fn default_out_path() -> PathBuf {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    PathBuf::from(format!("results/run-{ms}-{}.json", std::process::id()))
}

/// The temporary file `ResultsFile::save_atomic` writes before renaming it over `path`.
pub fn tmp_path(path: &Path) -> PathBuf {
    path.with_extension(format!("json.tmp{}", std::process::id()))
}

/// The HTML report written beside a results file (`None` if it would be the file itself).
pub fn html_path(out: &Path) -> Option<PathBuf> {
    let html = out.with_extension("html");
    (html != out).then_some(html)
}

fn lock_path(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    out.with_file_name(format!(".{name}.lock"))
}

/// What the signal thread and the drop guard clean up, and what they report.
#[derive(Default)]
struct State {
    work: Option<PathBuf>,
    out: Option<PathBuf>,
    lock: Option<PathBuf>,
    /// Rows and failures on disk (`None`: nothing written yet), and whether complete.
    saved: Option<(usize, usize, bool)>,
    /// Set once the run has ended (normally or not): nothing more is written.
    done: bool,
    /// Why the last save failed (a full disk), while saves fail: the file holds `saved`.
    refused: Option<String>,
    /// Rows (or failures) the run holds that no save has tried to write yet.
    pending: bool,
    /// When the last save was tried (`None`: none yet), and how many have been.
    last_save: Option<Instant>,
    saves: u64,
}

static STATE: Mutex<State> = Mutex::new(State {
    work: None,
    out: None,
    lock: None,
    saved: None,
    done: false,
    refused: None,
    pending: false,
    last_save: None,
    saves: 0,
});

/// Set by the signal thread: save what is pending now, the run is about to exit.
static FLUSH: AtomicBool = AtomicBool::new(false);

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes everything temporary this run made. Idempotent.
fn clean(s: &mut State) {
    if let Some(w) = s.work.take() {
        let _ = std::fs::remove_dir_all(w);
    }
    if let Some(out) = &s.out {
        let _ = std::fs::remove_file(tmp_path(out));
    }
    if let Some(l) = s.lock.take() {
        let _ = std::fs::remove_file(l);
    }
}

/// Cleans up when dropped: on return, on error and on panic.
pub struct Guard {
    _lock: Option<File>,
    _alive: Option<File>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let mut s = state();
        s.done = true;
        clean(&mut s);
    }
}

/// Starts the guard: blocks SIGINT, SIGTERM and SIGHUP in this thread (and so in every
/// thread started after it) and waits for them in a thread of its own. Call first thing
/// in `run`, before any thread exists.
pub fn start() -> Guard {
    install_signal_thread();
    sweep_stale_work_dirs();
    Guard { _lock: None, _alive: None }
}

/// The lock a run holds in its temporary folder for as long as it lives.
const ALIVE: &str = ".alive";

/// Registers the run's temporary folder (created by the caller) and marks it alive: a
/// lock on `.alive` in it, released when this process ends, however it ends.
pub fn set_work_dir(guard: &mut Guard, dir: &Path) -> Result<()> {
    state().work = Some(dir.to_path_buf());
    let alive = File::create(dir.join(ALIVE)).with_context(|| format!("cannot write in {}", dir.display()))?;
    alive.try_lock().map_err(|e| anyhow::anyhow!("cannot lock {}: {e}", dir.join(ALIVE).display()))?;
    guard._alive = Some(alive);
    Ok(())
}

/// Claims `out` for this run: refuses an existing file (or its .html) unless `force`, and
/// a file another run is writing (an advisory lock held until this run ends).
pub fn claim(guard: &mut Guard, out: &Path, force: bool) -> Result<()> {
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {} for the results", dir.display()))?;
    if out.is_dir() {
        bail!("--output {} is a folder; give a file name, e.g. {}", out.display(), out.join("run.json").display());
    }
    let lock_file = lock_path(out);
    let file = loop {
        let f = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_file)
            .with_context(|| format!("cannot create the lock file {}", lock_file.display()))?;
        match f.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&lock_file).unwrap_or_default();
                let holder = holder.trim();
                bail!(
                    "another interop-bench run{} is writing {} (it holds {}): wait for it to end, or give this run \
                     another --output",
                    if holder.is_empty() { String::new() } else { format!(" (pid {holder})") },
                    out.display(),
                    lock_file.display()
                );
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", lock_file.display()));
            }
        }
        // The run that held it may have removed it between our open and our lock: then the
        // lock is on a file nobody else sees; take the one at the path instead.
        use std::os::unix::fs::MetadataExt;
        let same = match (f.metadata(), std::fs::metadata(&lock_file)) {
            (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
            _ => false,
        };
        if same {
            break f;
        }
    };
    state().lock = Some(lock_file.clone());
    let mut f = &file;
    let _ = f.set_len(0);
    let _ = write!(f, "{}", std::process::id());
    guard._lock = Some(file);
    if !force {
        for p in std::iter::once(out.to_path_buf()).chain(html_path(out)) {
            if p.exists() {
                bail!(
                    "{} already exists: pass --force to replace it (and its .html report) once this run has a row \
                     to write, or choose another --output",
                    p.display()
                );
            }
        }
    }
    state().out = Some(out.to_path_buf());
    Ok(())
}

/// Saves the results file (atomically), unless the run has already ended: a save and an
/// interrupt never interleave.
pub fn save(results: &ResultsFile, out: &Path) -> Result<()> {
    let mut s = state();
    if s.done {
        return Ok(());
    }
    // A save tried, written or refused: the next one is due SAVE_EVERY from now, and a
    // refused one leaves the rows pending, so that it is tried again then.
    s.last_save = Some(Instant::now());
    s.saves += 1;
    if let Err(e) = results.save_atomic(out) {
        let _ = std::fs::remove_file(tmp_path(out));
        s.pending = true;
        // The message already names the cause; its source would repeat it.
        bail!("{e}");
    }
    s.pending = false;
    s.saved = Some((results.results.len(), results.failures.len(), results.complete));
    Ok(())
}

/// While workers measure, the results file is rewritten at most this often (and whenever a
/// worker ends or fails). A save serializes the whole file, about 10 MB and 30 ms of the
/// other core by the end of a full run; after every row, as until 2026-11-30, that was
/// 4,600 saves and a minute of CPU a run, most of it in the rows' warm-ups and first
/// samples, with the file's pages written out behind them. A SIGKILL or a power cut loses
/// at most this much of measuring; a terminating signal loses nothing ([`interrupted`]).
pub const SAVE_EVERY: Duration = Duration::from_secs(10);

/// Whether a save is due: `now` (a failure, a worker that ended), a terminating signal's
/// request, no save yet, or [`SAVE_EVERY`] since the last one (`since_last`).
fn due(now: bool, flush: bool, since_last: Option<Duration>) -> bool {
    now || flush || since_last.is_none_or(|t| t >= SAVE_EVERY)
}

/// A row (or a failure) has arrived while the run goes on: the results file is saved when
/// that is due ([`due`]; `now` for a failure or a worker's end), else the row is pending
/// until the next save ([`save_pending`]). A save the disk refuses (a full disk, a file
/// size limit) does not stop the run, whose later rows are measured all the same and
/// reach the report. The first refusal is said, with what the file still holds; every
/// later save tries again, and the first that succeeds says so. The run's last save
/// ([`save`]) is the one whose failure fails the run. Returns what to say, if anything.
pub fn save_during_run(results: &ResultsFile, out: &Path, now: bool) -> Option<String> {
    {
        let mut s = state();
        if !due(now, FLUSH.load(Ordering::SeqCst), s.last_save.map(|t| t.elapsed())) {
            s.pending = true;
            return None;
        }
    }
    match save(results, out) {
        Ok(()) => state().refused.take().map(|_| {
            format!("interop-bench: {} saved again: it holds the {} row(s) measured so far", out.display(), results.results.len())
        }),
        Err(e) => {
            let mut s = state();
            if s.refused.is_some() {
                return None;
            }
            s.refused = Some(e.to_string());
            Some(format!(
                "interop-bench: {e}; the run goes on and tries again as rows arrive (at most every {} s) and after each \
                 worker, and {} holds {} until a save succeeds",
                SAVE_EVERY.as_secs(),
                out.display(),
                held(s.saved)
            ))
        }
    }
}

/// Saves the rows still pending when that is due: `now` (a worker ended), a terminating
/// signal's request, or [`SAVE_EVERY`] since the last save (a worker quiet in a long row).
pub fn save_pending(results: &ResultsFile, out: &Path, now: bool) -> Option<String> {
    if !state().pending {
        return None;
    }
    save_during_run(results, out, now)
}

/// How long the signal thread waits for the run to save its pending rows before it exits
/// without them (the run is then busy elsewhere than with its workers: the file still
/// holds what its last save wrote, and the message says that).
const FLUSH_WAIT: Duration = Duration::from_secs(5);

/// How often a run waiting for a worker looks whether a save is due ([`save_pending`]).
pub const POLL: Duration = Duration::from_millis(100);

/// Asks the run to save the rows it holds that are not on disk yet, and waits until a save
/// has been tried (or [`FLUSH_WAIT`]).
fn flush_before_exit() {
    let asked = {
        let s = state();
        if s.done || !s.pending {
            return;
        }
        s.saves
    };
    FLUSH.store(true, Ordering::SeqCst);
    let until = Instant::now() + FLUSH_WAIT;
    while Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
        if state().saves > asked {
            return;
        }
    }
}

/// What a results file no save of this run has reached holds.
const NOTHING: &str = "nothing of this run (with --force, still the file it was to replace)";

/// What a results file holds after the saves so far (see [`State::saved`]).
fn held(saved: Option<(usize, usize, bool)>) -> String {
    match saved {
        None => NOTHING.into(),
        Some((rows, failures, complete)) => format!(
            "the {rows} row(s) and {failures} failure(s) saved before{}",
            if complete { "" } else { " (marked incomplete)" }
        ),
    }
}

/// What the results file `out` holds when the run's last save failed, against the `rows`
/// and `failures` the run measured (and its report shows).
pub fn held_of(out: &Path, rows: usize, failures: usize) -> String {
    match state().saved {
        Some((r, f, _)) if (r, f) == (rows, failures) => format!(
            "every row and failure of the report above, marked incomplete (`interop-bench report {}` reads it)",
            out.display()
        ),
        Some((r, f, _)) => format!(
            "{r} of the {rows} row(s){} of the report above, marked incomplete",
            if failures > 0 { format!(" and {f} of the {failures} failure(s)") } else { String::new() }
        ),
        None => NOTHING.into(),
    }
}

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

fn signal_set() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise and fill a local set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in SIGNALS {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

fn install_signal_thread() {
    let set = signal_set();
    // SAFETY: blocks the signals in this thread; threads started later inherit the mask,
    // and std resets the mask of child processes before exec.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
    std::thread::spawn(move || loop {
        let mut sig: libc::c_int = 0;
        // SAFETY: waits for one of the blocked signals.
        if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
            continue;
        }
        interrupted(sig);
    });
}

fn signal_name(sig: libc::c_int) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT (Ctrl-C)",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// The run was interrupted: save the rows still pending (the run's thread does, asked by
/// [`flush_before_exit`]), clean up, say where the partial results are, exit 128 + sig.
/// Workers die with this process (PR_SET_PDEATHSIG).
fn interrupted(sig: libc::c_int) -> ! {
    flush_before_exit();
    let mut s = state();
    s.done = true;
    clean(&mut s);
    let name = signal_name(sig);
    match (&s.out, s.saved) {
        (Some(out), Some((_, _, true))) => {
            eprintln!("\ninterop-bench: interrupted by {name} after the run ended; its results are complete in {}", out.display())
        }
        (Some(out), Some((rows, failures, false))) => eprintln!(
            "\ninterop-bench: interrupted by {name}; the {rows} row(s) and {failures} failure(s) {} \
             are in {} (marked incomplete). Report them with: interop-bench report {}",
            match &s.refused {
                Some(e) => format!("saved before the disk refused more ({e})"),
                None => "measured so far".into(),
            },
            out.display(),
            out.display()
        ),
        (Some(out), None) => {
            eprintln!("\ninterop-bench: interrupted by {name} before the first row: nothing was written ({} untouched)", out.display())
        }
        (None, _) => eprintln!("\ninterop-bench: interrupted by {name}; nothing was measured"),
    }
    let _ = std::io::stderr().flush();
    std::process::exit(128 + sig)
}

/// Removes `interop-bench-*` folders in the temporary directory whose run no longer
/// exists (left by a SIGKILL or a power cut): those whose `.alive` lock nobody holds. A
/// lock, not a process id, so that a live run in another PID namespace sharing the
/// directory is never swept.
fn sweep_stale_work_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with("interop-bench-") {
            continue;
        }
        let Ok(f) = File::open(e.path().join(ALIVE)) else { continue };
        if f.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The OS limit on a worker's data segment (`RLIMIT_DATA`): what the guest may grow its
/// memory to, plus room for the engine, its compiled code and the host. `RLIMIT_DATA`
/// counts writable private memory only, so the engines' large virtual reservations
/// (wasmtime's and wasmer's guard regions, the pooling allocator's slots, Go's arena
/// reservations) are not held against it, as `RLIMIT_AS` would; up to 64 live instances
/// (`first_call`) each touch only what their guest uses.
pub fn worker_data_limit(max_memory_mib: u32) -> u64 {
    (u64::from(max_memory_mib) * 2 + 1024) << 20
}

/// Makes `cmd` a worker that dies with this process and cannot take the machine's memory.
pub fn worker_command(cmd: &mut std::process::Command, max_memory_mib: u32) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    let data = worker_data_limit(max_memory_mib) as libc::rlim_t;
    cmd.process_group(0);
    // SAFETY: only async-signal-safe system calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The run died before the line above: do not outlive it.
            if libc::getppid() != parent {
                libc::_exit(137);
            }
            let lim = libc::rlimit { rlim_cur: data, rlim_max: data };
            if libc::setrlimit(libc::RLIMIT_DATA, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_save_is_said_once_and_the_first_save_after_it_says_so() {
        // The only test here that touches the run's state.
        let dir = tempfile::tempdir().unwrap();
        // A file where the results' folder should be: every save fails, as on a full disk.
        let blocker = dir.path().join("gone");
        std::fs::write(&blocker, "").unwrap();
        let out = blocker.join("r.json");
        let mut results = ResultsFile::new();
        let first = save_during_run(&results, &out, true).expect("the first refusal is said");
        assert!(first.contains("cannot write") && first.contains("the run goes on") && first.contains("holds nothing of this run ("), "{first}");
        assert!(state().pending, "a refused save leaves its rows pending, to be tried again");
        assert_eq!(save_during_run(&results, &out, true), None, "said once while saves keep failing");
        std::fs::remove_file(&blocker).unwrap();
        results.complete = true;
        let again = save_during_run(&results, &out, true).expect("the first save that succeeds is said");
        assert!(again.contains("saved again") && again.contains("0 row(s)"), "{again}");
        assert_eq!(state().saved, Some((0, 0, true)));
        assert!(ResultsFile::load(&out).is_ok());
        assert_eq!(save_during_run(&results, &out, true), None, "nothing to say while saves succeed");
        // A row within SAVE_EVERY of that save waits, pending; the worker's end writes it.
        results.complete = false;
        assert_eq!(save_during_run(&results, &out, false), None);
        assert!(state().pending && ResultsFile::load(&out).unwrap().complete, "not written yet");
        assert_eq!(save_pending(&results, &out, false), None, "not due while a worker measures");
        assert!(state().pending);
        assert_eq!(save_pending(&results, &out, true), None);
        assert!(!state().pending && !ResultsFile::load(&out).unwrap().complete, "written at the worker's end");
        assert_eq!(state().saved, Some((0, 0, false)));
    }

    #[test]
    fn a_save_is_due_on_a_failure_a_workers_end_a_signal_or_after_save_every() {
        let soon = Some(SAVE_EVERY / 2);
        assert!(!due(false, false, soon), "a row soon after a save waits");
        assert!(due(true, false, soon), "a failure or a worker's end is written at once");
        assert!(due(false, true, soon), "a terminating signal has it written");
        assert!(due(false, false, None), "the first row is written at once");
        assert!(due(false, false, Some(SAVE_EVERY)));
    }

    #[test]
    fn a_worker_gets_its_own_process_group_a_death_signal_and_a_data_limit() {
        let mut cmd = std::process::Command::new("sh");
        cmd.args(["-c", "ulimit -d; cut -d' ' -f5 /proc/$$/stat; echo $$; grep -i sigcgt /proc/$$/status >/dev/null"]);
        worker_command(&mut cmd, 64);
        let o = cmd.output().unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert_eq!(lines[0].parse::<u64>().unwrap(), worker_data_limit(64) >> 10, "ulimit -d is in KiB");
        assert_eq!(lines[1], lines[2], "the worker leads a process group of its own");
    }

    #[test]
    fn default_names_differ_between_processes_and_keep_the_json_extension() {
        let p = default_out_path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("run-") && name.ends_with(&format!("-{}.json", std::process::id())), "{name}");
        assert_eq!(p.parent().unwrap(), Path::new("results"));
        assert_eq!(html_path(&p).unwrap().extension().unwrap(), "html");
        assert_eq!(tmp_path(Path::new("r.json")), PathBuf::from(format!("r.json.tmp{}", std::process::id())));
    }
}
