package bench

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

// Scenario is one entry of scenarios/scenarios.toml.
type Scenario struct {
	Name    string   `toml:"name"`
	Target  string   `toml:"target"` // "native" or "wasm"
	Varies  string   `toml:"varies"` // "call", "memory" or "none"
	Param   string   `toml:"param"`
	Values  []int64  `toml:"values"`
	Exports []string `toml:"exports"`
	About   string   `toml:"about"`
}

// ScenarioFile is the whole scenario list.
type ScenarioFile struct {
	Schema    int        `toml:"schema"`
	Scenarios []Scenario `toml:"scenario"`
}

// LoadScenarios reads and checks the scenario list.
func LoadScenarios(path string) (*ScenarioFile, error) {
	var f ScenarioFile
	if _, err := toml.DecodeFile(path, &f); err != nil {
		return nil, fmt.Errorf("scenario list %s: %w", path, err)
	}
	if f.Schema != 1 {
		return nil, fmt.Errorf("scenario list %s: schema %d, this host reads schema 1", path, f.Schema)
	}
	for i, s := range f.Scenarios {
		if s.Name == "" {
			return nil, fmt.Errorf("scenario list %s: scenario #%d has no name", path, i+1)
		}
		switch s.Target {
		case "native", "wasm":
		default:
			return nil, fmt.Errorf("scenario list %s: %s: target %q (expected native or wasm)", path, s.Name, s.Target)
		}
		switch s.Varies {
		case "call", "memory", "none":
		default:
			return nil, fmt.Errorf("scenario list %s: %s: varies %q (expected call, memory or none)", path, s.Name, s.Varies)
		}
		if (s.Param == "") != (len(s.Values) == 0) {
			return nil, fmt.Errorf("scenario list %s: %s: param and values go together", path, s.Name)
		}
	}
	return &f, nil
}

// Cases returns the parameter values to run: one nil entry when the scenario has no
// parameter.
func (s Scenario) Cases() []*int64 {
	if s.Param == "" {
		return []*int64{nil}
	}
	out := make([]*int64, len(s.Values))
	for i := range s.Values {
		v := s.Values[i]
		out[i] = &v
	}
	return out
}
