package bench

import (
	"runtime/debug"
	"testing"
	"time"
)

func TestGCOffTurnsTheCollectorOffForTheCaseOnly(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := gcOff.apply()
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("inside a gc_off case the GC percent is %d, want -1 (off)", got)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after the case the GC percent is %d, want it restored to 100", got)
	}
}

func TestGCLoadMakesGarbageUntilStopped(t *testing.T) {
	start := backgroundAllocs.Load()
	restore := gcLoad.apply()
	time.Sleep(20 * time.Millisecond)
	during := backgroundAllocs.Load()
	restore()
	after := backgroundAllocs.Load()
	time.Sleep(5 * time.Millisecond)
	if during-start < liveBytes/objBytes {
		t.Errorf("the load allocated %d objects, want at least its live set of %d", during-start, liveBytes/objBytes)
	}
	if backgroundAllocs.Load() != after {
		t.Error("the background load kept allocating after its case was cleaned up")
	}
}

func TestEveryGCScenarioIsInTheList(t *testing.T) {
	list := loadList(t)
	names := map[string]Scenario{}
	for _, sc := range list.Scenarios {
		names[sc.Name] = sc
	}
	for name, v := range gcVariants {
		sc, ok := names[name]
		if !ok {
			t.Errorf("%s is not in scenarios.toml", name)
			continue
		}
		if base := names[v.base]; base.Varies != sc.Varies {
			t.Errorf("%s varies %q but its body %s varies %q", name, sc.Varies, v.base, base.Varies)
		}
	}
}
