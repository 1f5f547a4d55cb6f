package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestNewTransportError(t *testing.T) {
	var syntaxErr error = json.Unmarshal([]byte("{oops"), &struct{}{})
	tests := []struct {
		name       string
		err        error
		wantPrefix string
	}{
		{"cancelled", fmt.Errorf("get: %w", context.Canceled), "request cancelled"},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), "timeout"},
		{"net timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}, "timeout"},
		{"eof", fmt.Errorf("read: %w", io.EOF), "connection error"},
		{"unexpected eof", io.ErrUnexpectedEOF, "incomplete response"},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, "connection error"},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, "connection error"},
		{"dns", &net.DNSError{Err: "no such host", Name: "nova.invalid"}, "connection error"},
		{"malformed json", syntaxErr, "malformed JSON"},
		{"remote tls alert", errors.New("remote error: tls: handshake failure"), "TLS error"},
		{"other", errors.New("something odd"), "something odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewTransportError("getImage", tt.err)
			if e.Class != ClassTransient || e.Op != "getImage" || e.HTTPStatus != 0 {
				t.Fatalf("got %+v", e)
			}
			if !strings.HasPrefix(e.Message, tt.wantPrefix) {
				t.Errorf("Message = %q, want prefix %q", e.Message, tt.wantPrefix)
			}
			if !errors.Is(e, tt.err) {
				t.Error("cause not wrapped")
			}
		})
	}
	if NewTransportError("x", nil) != nil {
		t.Error("nil error must stay nil")
	}
	classified := &Error{Class: ClassNotFound, Op: "getImage"}
	if got := NewTransportError("x", fmt.Errorf("wrapped: %w", classified)); got != classified {
		t.Error("an *Error in the chain must be returned as is")
	}
}

// Real failures from the network stack, not hand-made errors.
func TestNewTransportErrorReal(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := l.Addr().String()
	_ = l.Close()

	client := &http.Client{Timeout: 100 * time.Millisecond, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	tests := []struct {
		name, url, wantPrefix string
	}{
		{"unknown CA", tlsSrv.URL, "TLS error"},
		{"plain http to tls", strings.Replace(tlsSrv.URL, "https", "http", 1), ""},
		{"timeout", slow.URL, "timeout"},
		{"refused", "http://" + closedAddr, "connection error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.Get(tt.url)
			if err != nil {
				e := NewTransportError("getImage", err)
				if !strings.HasPrefix(e.Message, tt.wantPrefix) {
					t.Errorf("Message = %q, want prefix %q", e.Message, tt.wantPrefix)
				}
				return
			}
			_ = resp.Body.Close()
			if tt.wantPrefix != "" {
				t.Fatalf("expected an error")
			}
		})
	}
}
