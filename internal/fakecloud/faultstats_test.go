package fakecloud

import (
	"net/http"
	"testing"
)

// TestProbabilityFaults checks standing faults: never used up, striking a
// share of the calls close to their probability, passing the spared calls
// on to the next fault, and repeatable with a seed.
func TestProbabilityFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults []Fault
		calls  int
		// want503 and want409 bound how many calls got each status.
		min503, max503 int
		min409, max409 int
	}{
		{
			name:   "always",
			faults: []Fault{{Op: OpGetImage, Status: 503, Probability: 1}},
			calls:  20, min503: 20, max503: 20,
		},
		{
			name:   "Times is ignored",
			faults: []Fault{{Op: OpGetImage, Status: 503, Probability: 1, Times: 1}},
			calls:  5, min503: 5, max503: 5,
		},
		{
			name:   "never strikes another op",
			faults: []Fault{{Op: OpListImages, Status: 503, Probability: 1}},
			calls:  5,
		},
		{
			name: "spared calls reach the next fault",
			faults: []Fault{
				{Op: OpGetImage, Status: 503, Probability: 0.5},
				{Op: OpGetImage, Status: 409, Probability: 1},
			},
			calls: 200, min503: 60, max503: 140, min409: 60, max409: 140,
		},
		{
			name:   "a share of the calls",
			faults: []Fault{{Op: OpGetImage, Status: 503, Probability: 0.1}},
			calls:  300, min503: 10, max503: 60,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCloud(t, Options{})
			c.SetFaultSeed(42)
			tok := login(t, c)
			img := c.AddImage(Image{})
			for _, f := range tc.faults {
				c.InjectFault(f)
			}
			got := map[int]int{}
			for i := 0; i < tc.calls; i++ {
				got[callGetImage(t, c, tok, "", img.ID).status]++
			}
			if got[503] < tc.min503 || got[503] > tc.max503 || got[409] < tc.min409 || got[409] > tc.max409 {
				t.Errorf("statuses %v, want 503 in [%d,%d] and 409 in [%d,%d]", got, tc.min503, tc.max503, tc.min409, tc.max409)
			}
			if got[200]+got[503]+got[409] != tc.calls {
				t.Errorf("unexpected statuses %v", got)
			}
			fired := c.FaultsFired()
			if fired[FaultKind{OpGetImage, "503"}] != got[503] || fired[FaultKind{OpGetImage, "409"}] != got[409] {
				t.Errorf("FaultsFired %v does not match the answers %v", fired, got)
			}
		})
	}
}

func TestFaultSeedRepeats(t *testing.T) {
	pattern := func() []int {
		c := newTestCloud(t, Options{})
		c.SetFaultSeed(7)
		tok := login(t, c)
		img := c.AddImage(Image{})
		c.InjectFault(Fault{Op: OpGetImage, Status: 500, Probability: 0.3})
		var out []int
		for i := 0; i < 40; i++ {
			out = append(out, callGetImage(t, c, tok, "", img.ID).status)
		}
		return out
	}
	a, b := pattern(), pattern()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("call %d: %d then %d with the same seed", i, a[i], b[i])
		}
	}
}

func TestBodyFault(t *testing.T) {
	tests := []struct {
		name       string
		fault      Fault
		wantStatus int
	}{
		{"malformed JSON with 200", Fault{Op: OpGetImage, Body: `{"id": "x", "status": `}, 200},
		{"raw error body", Fault{Op: OpGetImage, Status: 502, Body: "<html>Bad Gateway</html>"}, 502},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, tok := newLoggedInCloud(t, Options{})
			img := c.AddImage(Image{})
			c.InjectFault(tc.fault)
			r := callGetImage(t, c, tok, "", img.ID)
			if r.status != tc.wantStatus || string(r.raw) != tc.fault.Body || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("got %d %q (%s), want %d %q", r.status, r.raw, r.header.Get("Content-Type"), tc.wantStatus, tc.fault.Body)
			}
			if n := c.FaultsFired()[FaultKind{OpGetImage, "body"}]; n != 1 {
				t.Errorf("body faults counted %d, want 1", n)
			}
			// Used up: the next call is answered normally.
			if r := callGetImage(t, c, tok, "", img.ID); r.status != http.StatusOK || r.str("id") != img.ID {
				t.Errorf("after the fault: %d %s", r.status, r.raw)
			}
		})
	}
}
