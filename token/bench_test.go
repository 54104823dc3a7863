package token

import (
	"testing"
	"time"
)

func BenchmarkBuildRTCWithUID(b *testing.B) {
	for b.Loop() {
		if _, err := BuildRTCWithUID(testAppID, testCert, "pk-room_1", 2882341273, RolePublisher, 3600, 3600); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	s, err := BuildRTCWithUID(testAppID, testCert, "pk-room_1", 2882341273, RolePublisher, 3600, 3600)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for b.Loop() {
		if _, err := Check(s, testAppID, testCert, now); err != nil {
			b.Fatal(err)
		}
	}
}
