package bench

import (
	"bufio"
	"encoding/json"
	"io"
	"sync"
)

// The JSON-lines events of docs/hosts.md. Field order follows the document.

type RuntimeEvent struct {
	Event      string   `json:"event"` // "runtime"
	Host       string   `json:"host"`
	Runtime    string   `json:"runtime"`
	Engine     string   `json:"engine"`
	Version    string   `json:"version"`
	CallAPIs   []string `json:"call_apis"`
	MemoryAPIs []string `json:"memory_apis"`
	Notes      string   `json:"notes"`
	FFI        string   `json:"ffi"`         // "cgo" for an engine reached through cgo, else ""
	DirectPath string   `json:"direct_path"` // the runtime calling the same engine's C API directly, or ""
}

type StartEvent struct {
	Event    string `json:"event"` // "start"
	Host     string `json:"host"`
	Runtime  string `json:"runtime"`
	Scenario string `json:"scenario"`
}

type RowEvent struct {
	Event          string             `json:"event"` // "row"
	Host           string             `json:"host"`
	Runtime        string             `json:"runtime"`
	API            string             `json:"api"`
	Scenario       string             `json:"scenario"`
	Params         map[string]int64   `json:"params"`
	ItersPerSample int64              `json:"iters_per_sample"`
	SampleNsPerOp  []float64          `json:"sample_ns_per_op"`
	Verified       bool               `json:"verified"`
	Metrics        map[string]float64 `json:"metrics,omitempty"`
	InputSHA256    string             `json:"input_sha256,omitempty"`
	// Stop: what ended the sampling (precision, time_cap, sample_cap, projected, fixed).
	Stop string `json:"stop,omitempty"`
	// MachineRefNs: the machine's speed just before and just after the samples (MachineRefNs).
	MachineRefNs []float64 `json:"machine_ref_ns,omitempty"`
	// SampleMachineNs: the reference loop read just after each sample; MachineFastNs: the
	// fastest reading this process has taken (absent for rows whose calls make work for the
	// collector, which keep every sample). Together they let the statistics set aside the
	// samples taken while the machine ran slower (crates/core/src/stats/machine_state.rs).
	SampleMachineNs []float64 `json:"sample_machine_ns,omitempty"`
	MachineFastNs   *float64  `json:"machine_fast_ns,omitempty"`
	// Remeasured: a later process measured this row whose calls make work for the
	// collector again, whole, because the run asked for it (Config.Remeasure): an attempt
	// of its own, not a share of the row.
	Remeasured bool `json:"remeasured,omitempty"`
}

type FailureEvent struct {
	Event    string `json:"event"` // "failure"
	Host     string `json:"host"`
	Runtime  string `json:"runtime"`
	Scenario string `json:"scenario"`
	API      string `json:"api,omitempty"` // set when only this API path is not applicable
	Export   string `json:"export,omitempty"`
	Error    string `json:"error"`
	Status   string `json:"status"` // "failed" or "not_applicable"
}

// Host is the value of every event's "host" field.
const Host = "go"

// Emitter writes events, one JSON object a line, flushed at once (the orchestrator
// times workers out by the gap between events).
type Emitter struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func NewEmitter(w io.Writer) *Emitter { return &Emitter{w: bufio.NewWriter(w)} }

func (e *Emitter) Emit(ev any) {
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err) // only our own event structs are emitted
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.Write(b)
	e.w.WriteByte('\n')
	e.w.Flush()
}

func (e *Emitter) Runtime(info RuntimeInfo) {
	call, mem := info.CallAPIs, info.MemoryAPIs
	if call == nil {
		call = []string{}
	}
	if mem == nil {
		mem = []string{}
	}
	e.Emit(RuntimeEvent{"runtime", Host, info.Runtime, info.Engine, info.Version, call, mem, info.Notes, info.FFI, info.DirectPath})
}

func (e *Emitter) Start(runtime, scenario string) {
	e.Emit(StartEvent{"start", Host, runtime, scenario})
}

func (e *Emitter) Failure(runtime, scenario, export, msg, status string) {
	e.Emit(FailureEvent{"failure", Host, runtime, scenario, "", export, msg, status})
}

// APINotApplicable reports that one API path of a scenario is not applicable (the
// scenario's other APIs still give rows).
func (e *Emitter) APINotApplicable(runtime, scenario, api, msg string) {
	e.Emit(FailureEvent{"failure", Host, runtime, scenario, api, "", msg, "not_applicable"})
}
