package main

import (
	"context"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// callKinds splits the simulator's ledger by what each call is for.
type callKinds struct {
	create int // createImage
	server int // server reads
	// find is the lookups by idempotency key. The simulator counts them as
	// image lists like the batched reads; the operator's own metric of
	// driver finds (one list each, as the key matches at most a page) tells
	// them apart.
	find  int
	reads int // image reads: batched lists and single GETs
	auth  int
	other int // version documents, token checks, deletes
}

func kindsOf(ledger map[fakecloud.Op]int, finds int) callKinds {
	k := callKinds{
		create: ledger[fakecloud.OpCreateImage],
		server: ledger[fakecloud.OpGetServer],
		find:   min(finds, ledger[fakecloud.OpListImages]),
		auth:   ledger[fakecloud.OpAuth],
	}
	k.reads = imageReads(ledger) - k.find
	k.other = ledgerTotal(ledger) - k.create - k.server - k.find - k.reads - k.auth
	return k
}

func (k callKinds) total() int { return k.create + k.server + k.find + k.reads + k.auth + k.other }

// imageReads counts every image list and GET, find-by-key lists included.
func imageReads(ledger map[fakecloud.Op]int) int {
	return ledger[fakecloud.OpListImages] + ledger[fakecloud.OpGetImage]
}

func ledgerTotal(ledger map[fakecloud.Op]int) int {
	n := 0
	for _, k := range ledger {
		n += k
	}
	return n
}

// ledgerSample is the simulator's ledger at one moment, reduced to what
// the rates need.
type ledgerSample struct {
	at    time.Time
	total int
	// reads is image reads less the operator's finds so far (its metric is
	// scraped once a second, so a find may count as a read for a second).
	reads int
}

// sampleLedger reads the ledger every 100 ms until ctx ends and then sends
// the series. finds reports the operator's find-by-key calls so far.
func sampleLedger(ctx context.Context, sim *fakecloud.Cloud, finds func() int) <-chan []ledgerSample {
	out := make(chan []ledgerSample, 1)
	take := func() ledgerSample {
		l := sim.Ledger()
		return ledgerSample{at: time.Now(), total: ledgerTotal(l), reads: imageReads(l) - finds()}
	}
	go func() {
		series := []ledgerSample{take()}
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				out <- append(series, take())
				return
			case <-t.C:
				series = append(series, take())
			}
		}
	}()
	return out
}

// peakIn is the most of count seen in any window of width w that lies
// within [from, to].
func peakIn(series []ledgerSample, from, to time.Time, w time.Duration, count func(ledgerSample) int) int {
	peak, i := 0, 0
	for j, s := range series {
		if s.at.Before(from) || s.at.After(to) {
			continue
		}
		for i < j && (series[i].at.Before(from) || s.at.Sub(series[i].at) > w) {
			i++
		}
		peak = max(peak, count(s)-count(series[i]))
	}
	return peak
}

// sampleAt is the last sample taken at or before t.
func sampleAt(series []ledgerSample, t time.Time) ledgerSample {
	s := series[0]
	for _, x := range series {
		if x.at.After(t) {
			break
		}
		s = x
	}
	return s
}

// readsPerInterval is the image reads per poll interval over [from, to]:
// their mean and the most in any one interval.
func readsPerInterval(series []ledgerSample, from, to time.Time, poll time.Duration) (mean float64, peak int) {
	reads := func(s ledgerSample) int { return s.reads }
	if d := to.Sub(from); d > 0 {
		mean = float64(sampleAt(series, to).reads-sampleAt(series, from).reads) / (float64(d) / float64(poll))
	}
	return mean, peakIn(series, from, to, poll, reads)
}

// peakPerSecond is the most calls the simulator received in any
// one-second window of the series.
func peakPerSecond(series []ledgerSample) int {
	if len(series) == 0 {
		return 0
	}
	total := func(s ledgerSample) int { return s.total }
	return peakIn(series, series[0].at, series[len(series)-1].at, time.Second, total)
}
