package controllers

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

func TestCacheTransformDropsWhatIsNeverRead(t *testing.T) {
	si := &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{
		Name: "a",
		Annotations: map[string]string{
			lastAppliedAnnotation:           `{"apiVersion":"images.serverimage.dev/v1alpha1","kind":"ServerImage"}`,
			imagesv1.AbandonAnnotation:      "true",
			imagesv1.CreateIntentAnnotation: "true",
		},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}},
	}}
	out, err := CacheTransform()(si)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*imagesv1.ServerImage)
	if len(got.ManagedFields) != 0 {
		t.Errorf("managed fields kept: %v", got.ManagedFields)
	}
	if _, ok := got.Annotations[lastAppliedAnnotation]; ok {
		t.Error("last-applied-configuration kept")
	}
	if got.Annotations[imagesv1.AbandonAnnotation] != "true" || got.Annotations[imagesv1.CreateIntentAnnotation] != "true" {
		t.Errorf("the operator's own annotations were dropped: %v", got.Annotations)
	}
	only := &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{lastAppliedAnnotation: "{}"}}}
	out, _ = CacheTransform()(only)
	if a := out.(*imagesv1.ServerImage).Annotations; a != nil {
		t.Errorf("annotations %v, want none", a)
	}
}
