package huawei

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

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
