package fakecloud

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse hammers one cloud from many goroutines through HTTP and
// the admin API at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{QueuedFor: 5 * time.Millisecond, SavingFor: 5 * time.Millisecond})
	const workers, rounds = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			s := c.AddServer(Server{Name: fmt.Sprintf("w%d", w)})
			for i := range rounds {
				uid := fmt.Sprintf("w%d-%d", w, i)
				var id string
				// The server may still be busy with the previous snapshot.
				for {
					r, err := doErr(http.MethodPost, c.ComputeURL()+"/servers/"+s.ID+"/action", tok,
						map[string]any{"createImage": map[string]any{"name": uid, "metadata": map[string]string{"serverimage_uid": uid}}},
						"OpenStack-API-Version: compute 2.45")
					if err != nil {
						errs <- err
						return
					}
					if r.status == http.StatusAccepted {
						id = r.str("image_id")
						break
					}
					if r.status != http.StatusConflict {
						errs <- fmt.Errorf("createImage: %d %s", r.status, r.raw)
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
				r, err := doErr(http.MethodGet, c.ImageURL()+"/v2/images?serverimage_uid="+uid, tok, nil)
				if err != nil || len(names(r)) != 1 {
					errs <- fmt.Errorf("find %s: %v %s", uid, err, r.raw)
					return
				}
				if _, err := doErr(http.MethodGet, c.ImageURL()+"/v2/images/"+id, tok, nil); err != nil {
					errs <- err
					return
				}
				if i%3 == 0 {
					if r, err := doErr(http.MethodDelete, c.ImageURL()+"/v2/images/"+id, tok, nil); err != nil || r.status != 204 {
						errs <- fmt.Errorf("delete: %v %d", err, r.status)
						return
					}
				}
			}
		})
	}
	// Admin traffic alongside.
	stop := make(chan struct{})
	var admin sync.WaitGroup
	admin.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				c.FreezeImages(false)
				return
			default:
			}
			c.FreezeImages(i%2 == 0)
			c.InjectFault(Fault{Op: OpGetServer, Latency: time.Microsecond})
			_ = c.Ledger()
			_ = c.Images()
			x := c.AddImage(Image{})
			c.SetImageStatus(x.ID, StatusKilled)
			c.RemoveImage(x.ID)
			time.Sleep(time.Millisecond)
		}
	})
	wg.Wait()
	close(stop)
	admin.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// 15 rounds, every third image deleted (rounds 0,3,6,9,12).
	if n, want := len(c.Images()), workers*(rounds-5); n != want {
		t.Errorf("%d images, want %d", n, want)
	}
	if c.Calls(OpDeleteImage) != workers*5 {
		t.Errorf("deleteImage calls %d", c.Calls(OpDeleteImage))
	}
}
