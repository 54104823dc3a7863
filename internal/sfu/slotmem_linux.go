package sfu

import "golang.org/x/sys/unix"

// mapSlotMemory returns n bytes for a shard's packet slots, mapped outside
// the Go heap when the system allows it (mapped true; give them back with
// unmapSlotMemory), else allocated on it. The slots hold packet bytes
// only, no pointers, so the collector has nothing to find there; mapped
// outside, they do not count in the heap the collector lets grow (GOGC
// lets it reach twice the live heap: a few MB of idle slots would cost
// that much again under load), and pages never written take no memory.
func mapSlotMemory(n int) (mem []byte, mapped bool) {
	mem, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return make([]byte, n), false
	}
	return mem, true
}

// unmapSlotMemory gives mapped slot memory back to the system. Nothing
// may touch it afterwards.
func unmapSlotMemory(mem []byte) { _ = unix.Munmap(mem) }
