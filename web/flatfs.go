package web

import (
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// flatFS shows the files of several directories of fsys as one directory:
// "cohost-rtc.js" opens sdk/rtc/cohost-rtc.js. Subdirectories are not
// shown; a name found in two directories opens the first one's file.
type flatFS struct {
	fsys fs.FS
	dirs []string
}

// Open opens a file by its flat name, or the directory ".".
func (f flatFS) Open(name string) (fs.File, error) {
	if name == "." {
		entries, err := f.ReadDir(".")
		if err != nil {
			return nil, err
		}
		return &flatDir{entries: entries}, nil
	}
	p, err := f.path("open", name)
	if err != nil {
		return nil, err
	}
	return f.fsys.Open(p)
}

// ReadDir lists the files of every directory, sorted by name.
func (f flatFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	var out []fs.DirEntry
	for _, d := range f.dirs {
		entries, err := fs.ReadDir(f.fsys, d)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() && !slices.ContainsFunc(out, func(o fs.DirEntry) bool { return o.Name() == e.Name() }) {
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// path finds the file a flat name stands for.
func (f flatFS) path(op, name string) (string, error) {
	if fs.ValidPath(name) && !strings.Contains(name, "/") {
		for _, d := range f.dirs {
			p := path.Join(d, name)
			if st, err := fs.Stat(f.fsys, p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
	}
	return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
}

// flatDir is flatFS's root directory, opened.
type flatDir struct {
	entries []fs.DirEntry
	off     int
}

func (d *flatDir) Stat() (fs.FileInfo, error) { return rootInfo{}, nil }
func (d *flatDir) Close() error               { return nil }

func (d *flatDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: fs.ErrInvalid}
}

// ReadDir returns the next n entries (all the remaining ones when n <= 0).
func (d *flatDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return rest[:n], nil
}

// rootInfo describes flatFS's root directory.
type rootInfo struct{}

func (rootInfo) Name() string       { return "." }
func (rootInfo) Size() int64        { return 0 }
func (rootInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (rootInfo) ModTime() time.Time { return time.Time{} }
func (rootInfo) IsDir() bool        { return true }
func (rootInfo) Sys() any           { return nil }
