package cloud

import "testing"

func TestImageIDFromLocation(t *testing.T) {
	const id = "0a7e3f5c-9d2b-4c1e-8f00-5b6a7c8d9e0f"
	tests := []struct {
		loc     string
		want    string
		wantErr bool
	}{
		{loc: "http://127.0.0.1:9292//images/" + id, want: id}, // observed on real Nova 26
		{loc: "http://glance.example.com:9292/images/" + id, want: id},
		{loc: "http://nova.example.com:8774/v2/6f1e/images/" + id, want: id}, // public cloud, /v2/{project}
		{loc: "https://nova.example.com/compute/v2.1/images/" + id + "/", want: id},
		{loc: "/v2/images/" + id, want: id},
		{loc: "images/" + id, want: id},
		{loc: "http://h//images//" + id + "//", want: id},
		{loc: "http://h/images/" + id + "?x=1#frag", want: id},
		{loc: "http://h/images/a%2Fb", want: "a/b"},
		{loc: "  http://h/images/" + id + "  ", want: id},
		{loc: "", wantErr: true},
		{loc: "http://h/", wantErr: true},
		{loc: "http://h/images/", wantErr: true},
		{loc: "http://h", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ImageIDFromLocation(tt.loc)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ImageIDFromLocation(%q) = %q, %v; want %q, err=%v", tt.loc, got, err, tt.want, tt.wantErr)
		}
	}
}
