package cloud

import "time"

// timeLayouts: the clouds send RFC 3339; older Nova, some proxies and
// Samsung's SDK also produce zone-less timestamps, which are then UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05"}

// ParseTime reads a cloud's timestamp. An absent or unreadable value is
// the zero time: a timestamp is informative, never a reason to fail a poll.
func ParseTime(s string) time.Time {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
