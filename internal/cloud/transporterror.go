package cloud

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// NewTransportError classifies a failure that came without an HTTP status:
// the connection, TLS, a timeout, or a body that could not be decoded. All
// of them are transient (the cloud may answer next time); the message says
// which kind it was so that a condition tells a TLS problem from an outage.
// An *Error already in err's chain is returned unchanged.
func NewTransportError(op string, err error) *Error {
	return asTransient(op, err, transportMessage)
}

func transportMessage(err error) string {
	text := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return "request cancelled: " + text
	case isTLSError(err):
		return "TLS error: " + text
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "timeout: " + text
	case isJSONError(err):
		return "malformed JSON in response: " + text
	case errors.Is(err, io.ErrUnexpectedEOF):
		// Both a body cut short and truncated JSON end this way.
		return "incomplete response (connection closed early or truncated JSON): " + text
	case errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE):
		return "connection error: " + text
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &opErr) || errors.As(err, &dnsErr) {
		return "connection error: " + text
	}
	return text
}

func isTLSError(err error) bool {
	var (
		verifyErr   *tls.CertificateVerificationError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
		authorityEr x509.UnknownAuthorityError
		hostnameErr x509.HostnameError
		invalidErr  x509.CertificateInvalidError
	)
	if errors.As(err, &verifyErr) || errors.As(err, &recordErr) || errors.As(err, &alertErr) ||
		errors.As(err, &authorityEr) || errors.As(err, &hostnameErr) || errors.As(err, &invalidErr) {
		return true
	}
	// Alerts from the peer ("remote error: tls: …") and handshake timeouts
	// use unexported types; their text is stable.
	t := err.Error()
	return strings.Contains(t, "tls: ") || strings.Contains(t, "TLS handshake") || strings.Contains(t, "x509: ")
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isJSONError(err error) bool {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	return errors.As(err, &syntaxErr) || errors.As(err, &typeErr)
}
