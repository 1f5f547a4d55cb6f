package cloud

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// NewJSONRequest is a request to a cloud API that answers JSON, sent with
// the operator's User-Agent; payload (nil for none) is the JSON body.
func NewJSONRequest(ctx context.Context, method, url string, payload []byte) (*http.Request, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}
