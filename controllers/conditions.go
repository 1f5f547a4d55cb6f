package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// The three states below are the only ways the reconcilers set conditions,
// so that Ready, Reconciling and Stalled never contradict each other (kstatus
// reads Reconciling=True as InProgress and Stalled=True as Failed; a False
// abnormal-true condition is removed rather than kept, as kstatus advises).

// setReady marks the object done.
func setReady(conds *[]metav1.Condition, gen int64, reason, msg string) {
	set(conds, gen, imagesv1.ConditionReady, metav1.ConditionTrue, reason, msg)
	meta.RemoveStatusCondition(conds, imagesv1.ConditionReconciling)
	meta.RemoveStatusCondition(conds, imagesv1.ConditionStalled)
}

// setProgressing marks the object as being worked on without help needed.
func setProgressing(conds *[]metav1.Condition, gen int64, reason, msg string) {
	set(conds, gen, imagesv1.ConditionReady, metav1.ConditionFalse, reason, msg)
	set(conds, gen, imagesv1.ConditionReconciling, metav1.ConditionTrue, reason, msg)
	meta.RemoveStatusCondition(conds, imagesv1.ConditionStalled)
}

// setStalled marks the object as needing a person.
func setStalled(conds *[]metav1.Condition, gen int64, reason, msg string) {
	set(conds, gen, imagesv1.ConditionReady, metav1.ConditionFalse, reason, msg)
	set(conds, gen, imagesv1.ConditionStalled, metav1.ConditionTrue, reason, msg)
	meta.RemoveStatusCondition(conds, imagesv1.ConditionReconciling)
}

// setRetrying records a transient failure while keeping Ready as it was:
// a Ready image stays Ready while the drift check cannot reach the cloud.
func setRetrying(conds *[]metav1.Condition, gen int64, reason, msg string) {
	if meta.IsStatusConditionTrue(*conds, imagesv1.ConditionReady) {
		return
	}
	setProgressing(conds, gen, reason, msg)
}

func set(conds *[]metav1.Condition, gen int64, typ string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(conds, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: truncate(msg), ObservedGeneration: gen,
	})
}

// maxConditionMessage keeps messages well under the API's 32 KiB limit; a
// cloud error page can be large.
const maxConditionMessage = 1024

func truncate(s string) string {
	if len(s) <= maxConditionMessage {
		return s
	}
	return s[:maxConditionMessage-3] + "..."
}

// readyChanged returns the Ready condition of after when it differs from
// the one in before (status, reason or message): the change an Event
// announces. nil when there is none or nothing changed.
func readyChanged(before, after []metav1.Condition) *metav1.Condition {
	b, a := readyCondition(before), readyCondition(after)
	if a == nil || (b != nil && b.Status == a.Status && b.Reason == a.Reason && b.Message == a.Message) {
		return nil
	}
	return a
}

// readyCondition returns the Ready condition or nil.
func readyCondition(conds []metav1.Condition) *metav1.Condition {
	return meta.FindStatusCondition(conds, imagesv1.ConditionReady)
}
