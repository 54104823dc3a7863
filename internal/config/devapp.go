package config

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// DevAppFile is the name, in the data directory, of the file keeping the
// development app.
const DevAppFile = "dev-app.json"

// devAppJSON is the content of DevAppFile.
type devAppJSON struct {
	AppID          string    `json:"appId"`
	AppCertificate string    `json:"appCertificate"`
	Created        time.Time `json:"created,omitzero"`
}

// DevAppPath returns the path of the development app file in dataDir.
func DevAppPath(dataDir string) string { return filepath.Join(dataDir, DevAppFile) }

// EnsureDevApp returns the development app kept in dataDir/dev-app.json,
// creating it on first use (created is then true): a random App ID and App
// Certificate of 32 hex characters each. dataDir is created with mode 0700
// if missing, the file with mode 0600. An existing file that is not a valid
// development app is an error, never overwritten. Concurrent callers on the
// same directory all get the same app.
func EnsureDevApp(dataDir string) (app App, created bool, err error) {
	if dataDir == "" {
		return App{}, false, errors.New("development app: no data directory")
	}
	path := DevAppPath(dataDir)
	app, err = readDevApp(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return app, false, err
	}

	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return App{}, false, fmt.Errorf("development app: %w", err)
	}
	app = App{ID: randomHex32(), Certificate: randomHex32()}
	data, err := json.MarshalIndent(devAppJSON{
		AppID:          app.ID,
		AppCertificate: app.Certificate,
		Created:        time.Now().UTC().Truncate(time.Second),
	}, "", "  ")
	if err != nil {
		return App{}, false, fmt.Errorf("development app: %w", err)
	}
	data = append(data, '\n')

	switch err := publish(path, data); {
	case err == nil:
		return app, true, nil
	case errors.Is(err, fs.ErrExist):
		// Created meanwhile by another process: use that one.
		app, err = readDevApp(path)
		return app, false, err
	default:
		return App{}, false, fmt.Errorf("development app: %w", err)
	}
}

// publish writes data to path, which must not exist, so that readers never
// see a partial file: it is written to a temporary file and then linked in
// place. It fails with fs.ErrExist when path exists.
func publish(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dev-app-*.tmp") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	err = os.Link(tmp.Name(), path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// No hard links on this file system: create the file exclusively.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// readDevApp reads and checks a development app file. A missing file gives
// an error matching fs.ErrNotExist.
func readDevApp(path string) (App, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return App{}, err
		}
		return App{}, fmt.Errorf("development app: %w", err)
	}
	corrupt := func(why string) error {
		return fmt.Errorf("development app file %s is corrupt (%s); repair it or delete it to create a new app", path, why)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return App{}, corrupt("empty file")
	}
	var f devAppJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return App{}, corrupt(err.Error())
	}
	if dec.More() {
		return App{}, corrupt("data after the JSON object")
	}
	if !isHex32(f.AppID) {
		return App{}, corrupt("appId is not 32 hex characters")
	}
	if !isHex32(f.AppCertificate) {
		return App{}, corrupt("appCertificate is not 32 hex characters")
	}
	return App{ID: f.AppID, Certificate: f.AppCertificate}, nil
}

func randomHex32() string {
	var b [16]byte
	rand.Read(b[:]) // never fails
	return hex.EncodeToString(b[:])
}
