package main

// DEMO_SCHEDULE=1 adds a ServerImageSchedule to the demo: an image of the
// server every minute, keeping the 3 newest Ready ones, with progress
// printed as runs start, finish and get pruned.

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/pkg/fakecloud"
)

const (
	scheduleName = "web-every-minute"
	// scheduleKeep is the retention of the demo schedule.
	scheduleKeep = 3
	// scheduleDeadline bounds DEMO_EXIT_WHEN_READY runs: the first run
	// waits for the next full minute, then scheduleKeep+1 runs a minute
	// apart are needed before retention prunes one.
	scheduleDeadline = time.Duration(scheduleKeep+3) * time.Minute
)

// scheduleDemoWanted reports whether DEMO_SCHEDULE=1 is set.
func scheduleDemoWanted() bool { return os.Getenv("DEMO_SCHEDULE") == "1" }

// runScheduleDemo applies the demo schedule for serverID on the Cloud
// "mycloud" in the demo namespace (both created by applySample) and prints
// every change of its runs and of the simulator's images. It returns when
// ctx ends or, with exitWhenDone, once retention has pruned an image and
// exactly scheduleKeep Ready images remain (an error after
// scheduleDeadline).
func runScheduleDemo(ctx context.Context, c client.Client, sim *fakecloud.Cloud, serverID string, exitWhenDone bool) error {
	sched := &imagesv1.ServerImageSchedule{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: scheduleName},
		Spec: imagesv1.ServerImageScheduleSpec{
			Schedule: "* * * * *",
			Template: imagesv1.ServerImageTemplate{
				CloudRef:       imagesv1.CloudReference{Name: "mycloud"},
				ServerID:       serverID,
				DeletionPolicy: imagesv1.DeletionPolicyDelete,
			},
			Retention: &imagesv1.ImageRetention{MaxCount: ptr.To[int32](scheduleKeep)},
		},
	}
	step(fmt.Sprintf("applying ServerImageSchedule %s: an image every minute, keep %d", scheduleName, scheduleKeep))
	if err := c.Create(ctx, sched); err != nil {
		return fmt.Errorf("creating ServerImageSchedule: %w", err)
	}
	fmt.Printf("      kubectl get serverimageschedules,serverimages -n %s -l %s=%s\n\n", namespace, imagesv1.ScheduleLabel, scheduleName)

	deadline := time.Now().Add(scheduleDeadline)
	var lastLine string
	seen := map[string]bool{}
	pruned := 0
	for {
		sched := &imagesv1.ServerImageSchedule{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: scheduleName}, sched); err != nil {
			return err
		}
		var list imagesv1.ServerImageList
		if err := c.List(ctx, &list, client.InNamespace(namespace), client.MatchingLabels{imagesv1.ScheduleLabel: scheduleName}); err != nil {
			return err
		}
		current := map[string]bool{}
		var runs []string
		ready := 0
		for _, si := range list.Items {
			current[si.Name] = true
			state := "building"
			switch {
			case !si.DeletionTimestamp.IsZero():
				state = "deleting"
			case meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionReady):
				state = "Ready"
				ready++
			case meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionStalled):
				state = "failed"
			}
			runs = append(runs, strings.TrimPrefix(si.Name, scheduleName+"-")+":"+state)
		}
		slices.Sort(runs)
		for name := range seen {
			if !current[name] {
				pruned++
				fmt.Printf("%s     pruned %s (its cloud image goes with it: deletionPolicy Delete)\n", time.Now().Format("15:04:05"), name)
				delete(seen, name)
			}
		}
		for name := range current {
			seen[name] = true
		}

		line := fmt.Sprintf("    next %s  runs [%s]  cloud images %d",
			timeOrDash(sched.Status.NextScheduleTime), strings.Join(runs, " "), len(sim.Images()))
		if line != lastLine {
			fmt.Printf("%s %s\n", time.Now().Format("15:04:05"), line)
			lastLine = line
		}
		if exitWhenDone {
			if pruned > 0 && ready == scheduleKeep && len(list.Items) == scheduleKeep {
				fmt.Printf("SCHEDULE OK: %d images kept, %d pruned\n", ready, pruned)
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("schedule: no pruning seen after %s (last: %s)", scheduleDeadline, lastLine)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func timeOrDash(t *metav1.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format("15:04:05")
}
