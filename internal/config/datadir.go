package config

import (
	"os"
	"path/filepath"
)

// DefaultDataDir is $XDG_DATA_HOME/cohost, else ~/.local/share/cohost, else
// ./cohost-data.
func DefaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "cohost")
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return filepath.Join(h, ".local", "share", "cohost")
	}
	return "cohost-data"
}
