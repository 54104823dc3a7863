package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cohost-rtc/cohost/internal/server"
)

// flagReadyFile names the serve flag giving the path of the ready file.
const flagReadyFile = "ready-file"

// readyFile is the content of the ready file: where the server listens,
// and which process it is.
type readyFile struct {
	server.Endpoints
	// PID is the server's process id.
	PID int `json:"pid"`
}

// writeReadyFile writes the bound addresses of a listening server to path
// as JSON, atomically: a reader sees no file or the whole file. The file is
// written next to path and renamed in place.
func writeReadyFile(path string, e server.Endpoints) error {
	data, err := json.MarshalIndent(readyFile{Endpoints: e, PID: os.Getpid()}, "", "  ")
	if err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	data = append(data, '\n')
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("ready file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("ready file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	return nil
}
