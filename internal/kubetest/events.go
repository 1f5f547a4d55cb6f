package kubetest

import (
	"context"

	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Events lists the Events about the named object.
func (n *NS) Events(name string) []eventsv1.Event {
	n.T.Helper()
	var list eventsv1.EventList
	if err := n.C.List(context.Background(), &list, client.InNamespace(n.Name)); err != nil {
		n.T.Fatal(err)
	}
	var out []eventsv1.Event
	for _, e := range list.Items {
		if e.Regarding.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// WaitEvent waits for an Event of the type and reason about the named
// object and returns its note.
func (n *NS) WaitEvent(name, typ, reason string) string {
	n.T.Helper()
	var note string
	n.Until(n.T, "Event "+typ+"/"+reason+" on "+name, func() bool {
		for _, e := range n.Events(name) {
			if e.Type == typ && e.Reason == reason {
				note = e.Note
				return true
			}
		}
		return false
	})
	return note
}
