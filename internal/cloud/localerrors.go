package cloud

// Invalid is a local validation failure: terminal until the spec or the
// Cloud changes, and no request was sent.
func Invalid(op, msg string) *Error {
	return &Error{Class: ClassInvalid, Op: op, Message: msg}
}

// Malformed is a 2xx answer a driver cannot use. It is transient: a proxy
// hiccup is likelier than a cloud that always answers this way.
func Malformed(op, msg string) *Error {
	return &Error{Class: ClassTransient, Op: op, Message: msg}
}

// ReauthFailed explains a 401 whose re-authentication failed: the class,
// status and wait are those of the identity service's answer (inner), the
// operation is op, the one that needed the new token.
func ReauthFailed(op string, inner *Error, err error) *Error {
	return &Error{
		Class:      inner.Class,
		Op:         op,
		HTTPStatus: inner.HTTPStatus,
		Message:    "re-authentication failed: " + inner.Message,
		RetryAfter: inner.RetryAfter,
		Err:        err,
	}
}
