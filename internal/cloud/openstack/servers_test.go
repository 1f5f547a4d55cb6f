package openstack

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func TestGetServer(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		want      cloud.Server
		wantClass cloud.ErrorClass
		wantMsg   string
	}{
		{
			name: "idle", status: 200,
			body: `{"server":{"id":"srv1","status":"ACTIVE","OS-EXT-STS:task_state":null,"OS-EXT-STS:vm_state":"active","addresses":{},"flavor":{"id":"1"}}}`,
			want: cloud.Server{ID: "srv1", Status: "ACTIVE", Readiness: cloud.ServerIdle, Power: cloud.PowerRunning},
		},
		{
			name: "snapshotting", status: 200,
			body: `{"server":{"id":"srv1","status":"ACTIVE","OS-EXT-STS:task_state":"image_snapshot"}}`,
			want: cloud.Server{ID: "srv1", Status: "ACTIVE (task_state image_snapshot)", Readiness: cloud.ServerBusy, Power: cloud.PowerRunning, Snapshot: cloud.StageCapturing},
		},
		{
			name: "no extension field", status: 200,
			body: `{"server":{"id":"srv1","status":"SHUTOFF"}}`,
			want: cloud.Server{ID: "srv1", Status: "SHUTOFF", Readiness: cloud.ServerIdle, Power: cloud.PowerStopped},
		},
		{
			name: "booted from a volume", status: 200,
			body: `{"server":{"id":"srv1","status":"ACTIVE","image":"","OS-EXT-STS:task_state":null}}`,
			want: cloud.Server{ID: "srv1", Status: "ACTIVE", Readiness: cloud.ServerIdle, Power: cloud.PowerRunning, VolumeBacked: true},
		},
		{
			name: "404", status: 404, wantClass: cloud.ClassNotFound, wantMsg: "Instance srv1 could not be found.",
			body: `{"itemNotFound":{"code":404,"message":"Instance srv1 could not be found."}}`,
		},
		{
			name: "500 computeFault", status: 500, wantClass: cloud.ClassTransient, wantMsg: "Unexpected API Error.",
			body: `{"computeFault":{"code":500,"message":"Unexpected API Error."}}`,
		},
		{
			name: "no server object", status: 200, wantClass: cloud.ClassTransient, wantMsg: "no server object",
			body: `{}`,
		},
		{
			name: "not JSON", status: 200, wantClass: cloud.ClassTransient, wantMsg: "malformed JSON",
			body: `<html>oops</html>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t)
			s.Handle("GET /compute/v2.1/proj1/servers/{id}", func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, tt.status, tt.body)
			})
			got, err := s.provider().GetServer(context.Background(), "srv1")
			if tt.wantClass != "" {
				ce := wantClass(t, err, tt.wantClass)
				if !strings.Contains(ce.Message, tt.wantMsg) || ce.Op != "getServer" {
					t.Fatalf("got %+v", ce)
				}
				return
			}
			if err != nil || *got != tt.want {
				t.Fatalf("got %+v, %v", got, err)
			}
			if r := s.Requests("/compute/v2.1/proj1/servers"); r[0].NovaMV() != "" || r[0].MV() != "" {
				t.Fatalf("GetServer sent a microversion: %+v", r[0])
			}
		})
	}
}

func TestServerIDIsEscaped(t *testing.T) {
	s := newStub(t)
	s.Handle("GET /compute/v2.1/proj1/servers/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"itemNotFound":{"code":404,"message":"Instance `+r.PathValue("id")+` could not be found."}}`)
	})
	_, err := s.provider().GetServer(context.Background(), "a/../b?x")
	ce := wantClass(t, err, cloud.ClassNotFound)
	if !strings.Contains(ce.Message, "a/../b?x") {
		t.Fatalf("ID reached the cloud altered: %q", ce.Message)
	}
}
