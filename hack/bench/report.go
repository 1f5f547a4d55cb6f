package main

import (
	"fmt"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

func printHeader() {
	fmt.Println("| N | apply took | apply→last create | creates/s | lag p50 | lag p99 | lag max | cloud calls/image (create, getServer, list, get, auth, total) | peak cloud calls/s | API writes/image | Events/image | peak RSS | peak heap | restart: calls (create, list, get) | restart: re-observed | restart: API writes |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
}

func printRow(r *result) {
	c := r.callsPerImage
	calls := fmt.Sprintf("%.2f, %.2f, %.2f, %.2f, %.3f, **%.2f**",
		c[fakecloud.OpCreateImage], c[fakecloud.OpGetServer], c[fakecloud.OpListImages], c[fakecloud.OpGetImage], c[fakecloud.OpAuth], r.totalCallsPerImage)
	restart, reobs, rwrites := "-", "-", "-"
	if r.restartCalls != nil {
		rc := r.restartCalls
		restart = fmt.Sprintf("%d, %d, %d", rc[fakecloud.OpCreateImage], rc[fakecloud.OpListImages], rc[fakecloud.OpGetImage])
		reobs = r.restartReobserved.Round(100e6).String()
		rwrites = fmt.Sprint(r.restartWrites)
	}
	fmt.Printf("| %d | %s | %s | %.0f | %s | %s | %s | %s | %d | %.2f | %.2f | %.0f MB | %.0f MB | %s | %s | %s |\n",
		r.n, r.applyDuration.Round(10e6), r.applyToLastCreate.Round(10e6), r.createsPerSec,
		r.lagP50.Round(10e6), r.lagP99.Round(10e6), r.lagMax.Round(10e6),
		calls, r.peakCallsPerSec, r.writesPerImage, r.eventsPerImage,
		float64(r.peakRSS)/1e6, r.peakHeap/1e6, restart, reobs, rwrites)
}

func printLegend() {
	fmt.Println()
	fmt.Println("apply took: the bench's own creation of the N objects (32 clients); creates/s = N / (apply start → last createImage).")
	fmt.Println("peak cloud calls/s: the most calls the simulator received in any one-second window (compare with -rate-limit).")
	fmt.Println("lag: simulator activation time → the bench's watch sees Ready=True.")
	fmt.Println("API writes/image: the operator's mutating API requests (client-side metrics) minus Events.")
	fmt.Println("restart: the operator started again with N Ready objects; calls until every image was read once; its API writes (Events included) by then.")
}
