package eventq

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The queue's goroutine is gone once it is idle or closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const deadline = 20 * time.Second

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(deadline):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Functions run in push order, one at a time, even when pushed from many
// goroutines and from within a running function.
func TestRunsInPushOrderOneAtATime(t *testing.T) {
	q := New()
	defer q.Close()
	const n = 2000
	var got []int
	var running atomic.Int32
	done := make(chan struct{})
	for i := range n {
		q.Push(func() {
			if running.Add(1) != 1 {
				t.Error("two functions ran at once")
			}
			got = append(got, i)
			if i == n-1 {
				// Pushed from a function: runs after everything already queued.
				q.Push(func() { got = append(got, n); close(done) })
			}
			running.Add(-1)
		})
	}
	waitClosed(t, done, "the queue to drain")
	if len(got) != n+1 {
		t.Fatalf("%d functions ran, want %d", len(got), n+1)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("function %d ran in place %d", v, i)
		}
	}
}

// A slow function delays the ones after it, not the pusher.
func TestPushDoesNotWaitForARunningFunction(t *testing.T) {
	q := New()
	defer q.Close()
	release := make(chan struct{})
	started := make(chan struct{})
	q.Push(func() { close(started); <-release })
	waitClosed(t, started, "the first function")
	ran := make(chan struct{})
	pushed := make(chan struct{})
	go func() {
		q.Push(func() { close(ran) })
		close(pushed)
	}()
	waitClosed(t, pushed, "Push to return while a function blocks")
	select {
	case <-ran:
		t.Fatal("the second function ran before the first returned")
	default:
	}
	close(release)
	waitClosed(t, ran, "the second function")
}

// Close waits for the running function, drops the queued ones and refuses
// later pushes.
func TestCloseDropsPendingAndWaitsForTheRunningOne(t *testing.T) {
	q := New()
	release := make(chan struct{})
	started := make(chan struct{})
	var finished, dropped atomic.Bool
	q.Push(func() { close(started); <-release; finished.Store(true) })
	q.Push(func() { dropped.Store(true) })
	waitClosed(t, started, "the first function")
	closed := make(chan struct{})
	go func() { q.Close(); close(closed) }()
	time.AfterFunc(50*time.Millisecond, func() { close(release) })
	waitClosed(t, closed, "Close")
	if !finished.Load() {
		t.Fatal("Close returned before the running function")
	}
	if dropped.Load() {
		t.Fatal("a queued function ran after Close")
	}
	if q.Push(func() { dropped.Store(true) }) {
		t.Fatal("Push after Close reported true")
	}
	q.Close()
}

var errClosed = errors.New("closed")

func TestDoReturnsTheResultTheContextOrClosed(t *testing.T) {
	q := New()
	want := errors.New("f's error")
	if err := q.Do(context.Background(), errClosed, func() error { return want }); err != want {
		t.Fatalf("Do = %v, want f's error", err)
	}
	release := make(chan struct{})
	q.Push(func() { <-release })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.Do(ctx, errClosed, func() error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Do with an ended context = %v", err)
	}
	res := make(chan error, 1)
	go func() { res <- q.Do(context.Background(), errClosed, func() error { return nil }) }()
	closed := make(chan struct{})
	go func() { q.Close(); close(closed) }()
	select {
	case err := <-res:
		if err != errClosed {
			t.Fatalf("Do on a closing queue = %v, want %v", err, errClosed)
		}
	case <-time.After(deadline):
		t.Fatal("Do did not return when the queue closed")
	}
	close(release)
	waitClosed(t, closed, "Close")
	if err := q.Do(context.Background(), errClosed, func() error { return nil }); err != errClosed {
		t.Fatalf("Do after Close = %v", err)
	}
}

// Wait returns after the functions pushed before it; from a function of
// the queue it returns at once instead of waiting for itself.
func TestWaitFollowsEarlierFunctionsAndNeverWaitsForItself(t *testing.T) {
	q := New()
	defer q.Close()
	var earlier atomic.Bool
	release := make(chan struct{})
	q.Push(func() { <-release; earlier.Store(true) })
	time.AfterFunc(50*time.Millisecond, func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if !earlier.Load() {
		t.Fatal("Wait returned before an earlier function ran")
	}
	inner := make(chan error, 1)
	q.Push(func() { inner <- q.Wait(ctx) })
	select {
	case err := <-inner:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(deadline):
		t.Fatal("Wait from a function of the queue waited for itself")
	}
}
