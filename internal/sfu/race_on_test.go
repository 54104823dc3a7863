//go:build race

package sfu

// raceEnabled: the race detector makes code allocate that otherwise does
// not, so allocation counts are checked without it.
const raceEnabled = true
