package rtmsvc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cohost-rtc/cohost/protocol"
)

// The media store: files and images of RTM FILE and IMAGE messages, in a
// JetStream object store bucket, kept for Agora's seven days. They are
// uploaded and downloaded over HTTP (protocol.RTMMediaPath), since a
// signalling frame is capped at 64 KB, by a logged-in user: the request
// names the app and user and carries the session id as a bearer token,
// checked against the sessions mirror (so any node serves it).

const (
	bucketMedia = "RTM_MEDIA"
	// mediaTTL is how long an upload is kept, as Agora keeps it.
	mediaTTL = 7 * 24 * time.Hour
	// mediaTimeout bounds one upload or download.
	mediaTimeout = 10 * time.Minute
)

var mediaIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func validMediaID(id string) bool { return mediaIDRE.MatchString(id) }

func mediaBucketConfig() jetstream.ObjectStoreConfig {
	return jetstream.ObjectStoreConfig{Bucket: bucketMedia, Description: "cohost RTM files and images", TTL: mediaTTL,
		Storage: jetstream.FileStorage}
}

// mediaObject is the object name of an upload: its app's prefix and id.
func mediaObject(app, id string) string { return app + "/" + id }

// MediaHandler serves the media store: POST protocol.RTMMediaPath uploads,
// GET (or HEAD) protocol.RTMMediaPath/<id> downloads.
func (s *Service) MediaHandler() http.Handler {
	return http.HandlerFunc(s.serveMedia)
}

func (s *Service) serveMedia(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Cohost-App, X-Cohost-User")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
	h.Set("Access-Control-Expose-Headers", "Content-Length")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	upload := r.URL.Path == protocol.RTMMediaPath
	switch {
	case upload && r.Method == http.MethodPost:
		s.upload(w, r)
	case !upload && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.download(w, r, strings.TrimPrefix(r.URL.Path, protocol.RTMMediaPath+"/"))
	default:
		w.Header().Set("Allow", "GET, HEAD, POST, OPTIONS")
		mediaError(w, http.StatusMethodNotAllowed, int(protocol.RTMUploadMediaInvalidArgument), "UPLOAD_MEDIA_ERR_INVALID_ARGUMENT", "method not allowed")
	}
}

// authorize returns the app and the session id of the logged-in user the
// request names, or "" when it names none.
func (s *Service) authorize(r *http.Request) (app, sid string) {
	app, user := r.Header.Get("X-Cohost-App"), r.Header.Get("X-Cohost-User")
	sid, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || app == "" || user == "" || sid == "" {
		return "", ""
	}
	s.mu.Lock()
	rec, found := s.mirS[userKey(app, user)]
	s.mu.Unlock()
	if !found || rec.SID != sid {
		return "", ""
	}
	return app, sid
}

func (s *Service) upload(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code protocol.RTMUploadMediaErr, format string, args ...any) {
		mediaError(w, status, int(code), code.String(), fmt.Sprintf(format, args...))
	}
	app, sid := s.authorize(r)
	if app == "" {
		fail(http.StatusUnauthorized, protocol.RTMUploadMediaNotLoggedIn, "not logged in: name a logged-in user and its session")
		return
	}
	if r.ContentLength > protocol.RTMMaxMediaSize {
		fail(http.StatusRequestEntityTooLarge, protocol.RTMUploadMediaSizeOverflow, "%d bytes, over the limit of %d", r.ContentLength, protocol.RTMMaxMediaSize)
		return
	}
	if !s.startUpload(sid) {
		fail(http.StatusTooManyRequests, protocol.RTMUploadMediaConcurrencyExceeded, "already %d uploads at once", protocol.RTMMaxMediaUploads)
		return
	}
	defer s.endUpload(sid)
	ctx, cancel := context.WithTimeout(r.Context(), mediaTimeout)
	defer cancel()
	id := randomID(16)
	body := http.MaxBytesReader(w, r.Body, protocol.RTMMaxMediaSize)
	info, err := s.media.Put(ctx, jetstream.ObjectMeta{Name: mediaObject(app, id)}, body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		fail(http.StatusRequestEntityTooLarge, protocol.RTMUploadMediaSizeOverflow, "over the limit of %d bytes", protocol.RTMMaxMediaSize)
		return
	case err != nil && ctx.Err() != nil:
		fail(http.StatusRequestTimeout, protocol.RTMUploadMediaInterrupted, "upload interrupted: %v", err)
		return
	case err != nil:
		s.log.Warn("media upload failed", "err", err)
		fail(http.StatusInternalServerError, protocol.RTMUploadMediaFailure, "upload failed: %v", err)
		return
	case info.Size == 0:
		_ = s.media.Delete(context.WithoutCancel(ctx), mediaObject(app, id))
		fail(http.StatusBadRequest, protocol.RTMUploadMediaInvalidArgument, "empty file")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(protocol.RTMMediaUploadResponse{MediaID: id, Size: int64(info.Size)})
}

func (s *Service) download(w http.ResponseWriter, r *http.Request, id string) {
	fail := func(status int, code protocol.RTMDownloadMediaErr, format string, args ...any) {
		mediaError(w, status, int(code), code.String(), fmt.Sprintf(format, args...))
	}
	app, _ := s.authorize(r)
	if app == "" {
		fail(http.StatusUnauthorized, protocol.RTMDownloadMediaNotLoggedIn, "not logged in: name a logged-in user and its session")
		return
	}
	if !validMediaID(id) {
		fail(http.StatusBadRequest, protocol.RTMDownloadMediaInvalidArgument, "invalid media id %q", id)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), mediaTimeout)
	defer cancel()
	obj, err := s.media.Get(ctx, mediaObject(app, id))
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		fail(http.StatusNotFound, protocol.RTMDownloadMediaNotExist, "no media %s (or it expired)", id)
		return
	}
	if err != nil {
		fail(http.StatusInternalServerError, protocol.RTMDownloadMediaFailure, "download failed: %v", err)
		return
	}
	defer obj.Close()
	info, err := obj.Info()
	if err != nil {
		fail(http.StatusInternalServerError, protocol.RTMDownloadMediaFailure, "download failed: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatUint(info.Size, 10))
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, obj); err != nil {
		s.log.Debug("media download interrupted", "err", err)
	}
}

// startUpload counts an upload of session sid; false when it has the
// most it may have at once.
func (s *Service) startUpload(sid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uploads[sid] >= protocol.RTMMaxMediaUploads {
		return false
	}
	s.uploads[sid]++
	return true
}

func (s *Service) endUpload(sid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uploads[sid]--; s.uploads[sid] <= 0 {
		delete(s.uploads, sid)
	}
}

func mediaError(w http.ResponseWriter, status, code int, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(protocol.RTMMediaError{Code: code, Name: name, Message: msg})
}
