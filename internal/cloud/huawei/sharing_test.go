package huawei

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestSharingJobs: share and unshare return their job at once, which
// GetJob reads (running, then done; a failed job carries fail_reason);
// the consumer's answer waits for its job.
func TestSharingJobs(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t)
	p := newProvider(t, akskConfig(sim))
	img := sim.AddImage(fakecloud.Image{Name: "golden"})
	const consumer = "9c61b2f7f8a54c0c9a1b2c3d4e5f6a7b"

	caps := p.Capabilities().Properties
	if !caps.Sharing || !caps.AcceptShare || !caps.MemberJobs || !caps.Tags || caps.MaxTags != 10 || !caps.PropsNeedImageRead || caps.Protected || len(caps.Visibilities) > 0 || caps.SharingNeedsShared {
		t.Fatalf("capabilities %+v", caps)
	}
	// runJob starts a member job and reads it until it ends.
	runJob := func(call func() error) cloud.JobState {
		t.Helper()
		jobID, ok := cloud.JobOf(call())
		if !ok {
			t.Fatal("the member call returned no job")
		}
		for reads := 1; ; reads++ {
			state, err := p.GetJob(ctx, jobID)
			if err != nil {
				t.Fatalf("GetJob: %v", err)
			}
			if state.Done {
				if reads != 2 {
					t.Errorf("job ended on read %d, want 2 (running, then done)", reads)
				}
				return state
			}
		}
	}
	for range 2 {
		if st := runJob(func() error { return p.AddMember(ctx, img.ID, consumer) }); st.FailReason != "" {
			t.Fatalf("AddMember job failed: %s", st.FailReason)
		}
	}
	if n := sim.Calls(fakecloud.OpGetJob); n != 4 {
		t.Errorf("%d job reads, want 4: the calls do not wait", n)
	}
	ms, err := p.ListMembers(ctx, img.ID)
	if err != nil || len(ms) != 1 || ms[0] != (cloud.Member{Project: consumer, Status: cloud.MemberPending}) {
		t.Fatalf("members %v %v", ms, err)
	}
	sim.FailNextIMSJob("The image cannot be shared with project 0000.")
	if st := runJob(func() error { return p.AddMember(ctx, img.ID, "0000") }); st.FailReason != "The image cannot be shared with project 0000." {
		t.Errorf("failed job: %+v", st)
	}
	if err := p.AcceptShare(ctx, img.ID); cloud.ClassOf(err) != cloud.ClassInvalid {
		t.Errorf("accepting as a project that is no member: %v, want a failed job", err)
	}
	for range 2 {
		if st := runJob(func() error { return p.RemoveMember(ctx, img.ID, consumer) }); st.FailReason != "" {
			t.Fatalf("RemoveMember job failed: %s", st.FailReason)
		}
	}
	if got, _ := sim.Image(img.ID); len(got.Members) != 0 {
		t.Errorf("members after removal: %v", got.Members)
	}
}

// TestAcceptShareJob: the consumer project accepts with a PUT job.
func TestAcceptShareJob(t *testing.T) {
	sim := newSim(t)
	p := newProvider(t, akskConfig(sim))
	img := sim.AddImage(fakecloud.Image{Owner: "producer", ImageProps: fakecloud.ImageProps{Members: map[string]string{sim.HuaweiProjectID(): "pending"}}})
	if err := p.AcceptShare(context.Background(), img.ID); err != nil {
		t.Fatalf("AcceptShare: %v", err)
	}
	if got, _ := sim.Image(img.ID); got.Members[sim.HuaweiProjectID()] != "accepted" {
		t.Errorf("members %v", got.Members)
	}
}

// TestTags: spec tags become IMS key/value tags ("k=v", or a key with an
// empty value), each batch is safe to repeat, GetImage reads them only
// when asked, and what IMS would refuse is refused before the call.
func TestTags(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t)
	p := newProvider(t, akskConfig(sim))
	img := sim.AddImage(fakecloud.Image{Name: "golden"})

	for range 2 {
		if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{AddTags: []string{"golden", "team=web"}}); err != nil {
			t.Fatalf("UpdateImageProperties: %v", err)
		}
	}
	got, err := p.GetImage(cloud.WithImageProps(ctx), img.ID)
	if err != nil || !got.PropsKnown || !slices.Equal(got.Tags, []string{"golden", "team=web"}) {
		t.Fatalf("GetImage with properties = %+v, %v", got, err)
	}
	if plain, err := p.GetImage(ctx, img.ID); err != nil || plain.PropsKnown {
		t.Fatalf("the poll read asked for tags: %+v, %v", plain, err)
	}
	// A new value for a key replaces the old one (IMS keys are unique).
	if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{RemoveTags: []string{"team=web"}, AddTags: []string{"team=db"}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{RemoveTags: []string{"golden"}}); err != nil {
			t.Fatalf("removing a tag (again): %v", err)
		}
	}
	if after, _ := sim.Image(img.ID); !slices.Equal(after.Tags, []string{"team=db"}) {
		t.Fatalf("simulator tags %v", after.Tags)
	}

	calls := sim.Calls(fakecloud.OpImageTag)
	wantClass(t, p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{AddTags: []string{strings.Repeat("k", 37)}}), cloud.ClassInvalid, "longer than 36")
	wantClass(t, p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{AddTags: []string{"=v"}}), cloud.ClassInvalid, "need a key")
	if sim.Calls(fakecloud.OpImageTag) != calls {
		t.Error("a tag IMS refuses was sent")
	}
	var eleven []string
	for i := range 11 {
		eleven = append(eleven, "t"+string(rune('a'+i)))
	}
	wantClass(t, p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{AddTags: eleven}), cloud.ClassInvalid, "at most 10")
	if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{Protected: new(bool)}); cloud.ClassOf(err) != cloud.ClassInvalid {
		t.Errorf("protection on IMS: %v, want Invalid", err)
	}
}
