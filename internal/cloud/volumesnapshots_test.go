package cloud

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/time/rate"
)

func (c *countingProvider) GetVolumeSnapshot(context.Context, string) (*VolumeSnapshot, error) {
	c.note(OpGetVolumeSnapshot)
	return &VolumeSnapshot{}, nil
}

func (c *countingProvider) DeleteVolumeSnapshot(context.Context, string) error {
	c.note(OpDeleteVolumeSnapshot)
	return nil
}

func intp(n int) *int { return &n }

func TestSnapshotsOfMapping(t *testing.T) {
	// Nova's shape: a JSON string, swap and ephemeral entries first, a
	// null snapshot_id among them, a repeated ID.
	nova := `[{"source_type":"blank","destination_type":"local","snapshot_id":null,"guest_format":"swap","boot_index":-1},` +
		`{"source_type":"snapshot","destination_type":"volume","snapshot_id":"s-root","boot_index":0,"volume_size":10},` +
		`{"source_type":"snapshot","destination_type":"volume","snapshot_id":"s-data","volume_size":null},` +
		`{"source_type":"snapshot","snapshot_id":"s-root"}]`
	for _, tc := range []struct {
		name string
		in   any
		want []ImageSnapshot
	}{
		{"nova string", nova, []ImageSnapshot{{ID: "s-root", VolumeSizeGiB: intp(10)}, {ID: "s-data"}}},
		{"decoded list", []any{map[string]any{"snapshot_id": "s1", "volume_size": 2.0}}, []ImageSnapshot{{ID: "s1", VolumeSizeGiB: intp(2)}}},
		{"absent", nil, nil},
		{"not a mapping", "hello", nil},
		{"an object", `{"snapshot_id":"x"}`, nil},
		{"no snapshots", `[{"source_type":"image","uuid":"i"}]`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SnapshotsOfMapping(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSnapshotPhaseOf(t *testing.T) {
	for status, want := range map[string]SnapshotPhase{
		"creating": SnapshotCreating, "available": SnapshotAvailable, "AVAILABLE": SnapshotAvailable,
		"deleting": SnapshotDeleting, "error": SnapshotError, "error_deleting": SnapshotError,
		"backing-up": SnapshotAvailable, "deleted": SnapshotGone, "unmanaging": SnapshotCreating,
	} {
		if got := SnapshotPhaseOf(status); got != want {
			t.Errorf("%s: %s, want %s", status, got, want)
		}
	}
}

func TestSnapshotNotReadyIsBusy(t *testing.T) {
	creating := NewHTTPError(OpDeleteVolumeSnapshot, 400, nil,
		[]byte(`{"badRequest":{"code":400,"message":"Invalid snapshot: Snapshot status must be available or error and must not be part of a group."}}`), nil)
	if got := ClassOf(SnapshotNotReady(creating)); got != ClassBusy {
		t.Errorf("400 while creating: %s, want Busy", got)
	}
	other := NewHTTPError(OpDeleteVolumeSnapshot, 400, nil, []byte(`{"badRequest":{"message":"Invalid input"}}`), nil)
	if got := ClassOf(SnapshotNotReady(other)); got != ClassInvalid {
		t.Errorf("other 400: %s, want Invalid", got)
	}
	if SnapshotNotReady(nil) != nil {
		t.Error("nil error changed")
	}
}

func TestNameSnapshotQuota(t *testing.T) {
	quota := NewHTTPError(OpCreateImage, http.StatusForbidden, nil,
		[]byte(`{"forbidden":{"code":403,"message":"Quota exceeded for resources: snapshots."}}`), nil)
	err := NameSnapshotQuota(quota)
	if ClassOf(err) != ClassForbidden || !strings.Contains(err.Error(), "volume-snapshot quota") || !strings.Contains(err.Error(), "Quota exceeded for resources: snapshots") {
		t.Errorf("snapshot quota not named: %v", err)
	}
	policy := NewHTTPError(OpCreateImage, http.StatusForbidden, nil, []byte(`{"forbidden":{"message":"Policy doesn't allow compute:create_image"}}`), nil)
	if got := NameSnapshotQuota(policy); got.Error() != policy.Error() {
		t.Errorf("a policy 403 changed: %v", got)
	}
}

func TestWrappersPassVolumeSnapshots(t *testing.T) {
	next := &countingProvider{}
	p := Instrument("test", RateLimit(next, rate.NewLimiter(rate.Inf, 1)))
	if _, err := p.GetVolumeSnapshot(context.Background(), "s"); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteVolumeSnapshot(context.Background(), "s"); err != nil {
		t.Fatal(err)
	}
	if got, want := next.calls(), []string{OpGetVolumeSnapshot, OpDeleteVolumeSnapshot}; !reflect.DeepEqual(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}
