package main

import (
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

func TestKindsOfTellsFindsFromReads(t *testing.T) {
	ledger := map[fakecloud.Op]int{
		fakecloud.OpCreateImage: 10, fakecloud.OpGetServer: 2, fakecloud.OpListImages: 7,
		fakecloud.OpGetImage: 3, fakecloud.OpAuth: 1, fakecloud.OpVersions: 4,
	}
	got := kindsOf(ledger, 2)
	want := callKinds{create: 10, server: 2, find: 2, reads: 8, auth: 1, other: 4}
	if got != want {
		t.Fatalf("kindsOf = %+v, want %+v", got, want)
	}
	if got.total() != 27 {
		t.Fatalf("total = %d, want every call in the ledger (27)", got.total())
	}
}

func TestReadsPerInterval(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var series []ledgerSample
	// 1 s samples; 2 reads a second, except 6 in the fifth second.
	reads := 0
	for i := 0; i <= 10; i++ {
		series = append(series, ledgerSample{at: t0.Add(time.Duration(i) * time.Second), reads: reads, total: 3 * reads})
		if i == 4 {
			reads += 6
		} else {
			reads += 2
		}
	}
	mean, peak := readsPerInterval(series, t0, t0.Add(10*time.Second), 2*time.Second)
	if mean != 4.8 {
		t.Errorf("mean = %v, want 4.8 (24 reads over five 2 s intervals)", mean)
	}
	if peak != 8 {
		t.Errorf("peak = %d, want 8 (6 + 2 in the busiest 2 s)", peak)
	}
	if got := peakPerSecond(series); got != 18 {
		t.Errorf("peakPerSecond = %d, want 18", got)
	}
	// A window outside the phase does not count.
	if _, peak := readsPerInterval(series, t0.Add(6*time.Second), t0.Add(10*time.Second), 2*time.Second); peak != 4 {
		t.Errorf("peak after the burst = %d, want 4", peak)
	}
}
