package main

import (
	"fmt"
	"strings"
)

var columns = []string{
	"mode", "apply", "N", "apply took", "apply→last create", "creates/s", "lag p50", "lag p99", "lag max",
	"cloud calls/image (create, server reads, find-by-key, image reads, auth+other, total)",
	"image reads per Cloud per interval (mean, peak)",
	"peak cloud calls/s", "API writes/image", "Events/image", "peak RSS", "peak heap",
	"restart: calls (create, find-by-key, image reads)", "restart: re-observed", "restart: API writes",
}

func printHeader() {
	fmt.Println("| " + strings.Join(columns, " | ") + " |")
	fmt.Println(strings.Repeat("|---", len(columns)) + "|")
}

func printRow(r *result) {
	c, per := r.calls, func(k int) float64 { return float64(k) / float64(r.n) }
	calls := fmt.Sprintf("%.2f, %.2f, %.2f, %.2f, %.3f, **%.2f**",
		per(c.create), per(c.server), per(c.find), per(c.reads), per(c.auth+c.other), per(c.total()))
	restart, reobs, rwrites := "-", "-", "-"
	if rc := r.restartCalls; rc != nil {
		restart = fmt.Sprintf("%d, %d, %d", rc.create, rc.find, rc.reads)
		reobs = r.restartReobserved.Round(100e6).String()
		rwrites = fmt.Sprint(r.restartWrites)
	}
	fmt.Printf("| %s | %s | %d | %s | %s | %.0f | %s | %s | %s | %s | %.1f, %d | %d | %.2f | %.2f | %.0f MB | %.0f MB | %s | %s | %s |\n",
		r.mode, r.apply, r.n, r.applyDuration.Round(10e6), r.applyToLastCreate.Round(10e6), r.createsPerSec,
		r.lagP50.Round(10e6), r.lagP99.Round(10e6), r.lagMax.Round(10e6),
		calls, r.readsMean, r.readsPeak, r.peakCallsPerSec, r.writesPerImage, r.eventsPerImage,
		float64(r.peakRSS)/1e6, r.peakHeap/1e6, restart, reobs, rwrites)
}

func printLegend() {
	fmt.Println()
	fmt.Println("apply: none = plain creates; client = kubectl apply (last-applied annotation); server = server-side apply (managed fields of field manager kubectl).")
	fmt.Println("apply took: the bench's own writing of the N objects (32 clients); creates/s = N / (apply start → last createImage).")
	fmt.Println("cloud calls/image: from the simulator's ledger; find-by-key lookups are image lists too, told apart by the operator's findImages metric.")
	fmt.Println("image reads per interval: image lists and GETs (finds excluded) per poll interval from the apply to the last Ready; peak = the most in any one interval.")
	fmt.Println("peak cloud calls/s: the most calls the simulator received in any one-second window (compare with -rate-limit).")
	fmt.Println("lag: simulator activation time → the bench's watch sees Ready=True.")
	fmt.Println("API writes/image: the operator's mutating API requests (client-side metrics) minus Events.")
	fmt.Println("restart: the operator started again with N Ready objects; calls until every image was read once; its API writes (Events included) by then.")
}
