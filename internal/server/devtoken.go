package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/token"
)

// devApp is the app the development token endpoint mints for: the first
// configured app with a certificate.
func (s *Server) devApp() *config.App {
	for i := range s.cfg.Apps {
		if !s.cfg.Apps[i].TestingMode() {
			return &s.cfg.Apps[i]
		}
	}
	return nil
}

// devTokenResponse is the JSON answer of /v1/dev/token.
type devTokenResponse struct {
	AppID   string `json:"appId"`
	Channel string `json:"channel,omitempty"`
	UID     uint32 `json:"uid,omitempty"`
	Account string `json:"account,omitempty"`
	UserID  string `json:"userId,omitempty"`
	Token   string `json:"token"`
	Expire  uint32 `json:"expire"`
}

// handleDevToken mints tokens for the development app. It is registered
// only while the server is bound to loopback. Query: service=rtc (default)
// with channel, uid or account, role=publisher|subscriber, expire seconds,
// admin=true for the administrate-channel privilege (remote role changes);
// or service=rtm with userId.
func (s *Server) handleDevToken(w http.ResponseWriter, r *http.Request) {
	app := s.devApp()
	q := r.URL.Query()
	expire := uint32(3600)
	if v := q.Get("expire"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 || n > 86400 {
			http.Error(w, "expire must be 1..86400 seconds", http.StatusBadRequest)
			return
		}
		expire = uint32(n)
	}
	resp := devTokenResponse{AppID: app.ID, Expire: expire}
	var err error
	switch q.Get("service") {
	case "", "rtc":
		role := token.RolePublisher
		switch q.Get("role") {
		case "", "publisher", "host":
		case "subscriber", "audience":
			role = token.RoleSubscriber
		default:
			http.Error(w, "role must be publisher or subscriber", http.StatusBadRequest)
			return
		}
		resp.Channel = q.Get("channel")
		if resp.Channel == "" {
			http.Error(w, "channel is required", http.StatusBadRequest)
			return
		}
		admin := q.Get("admin") == "true" || q.Get("admin") == "1"
		if acc := q.Get("account"); acc != "" {
			resp.Account = acc
			if admin {
				resp.Token, err = token.BuildRTCAdmin(app.ID, app.Certificate, resp.Channel, acc, role, expire, expire)
			} else {
				resp.Token, err = token.BuildRTCWithAccount(app.ID, app.Certificate, resp.Channel, acc, role, expire, expire)
			}
		} else {
			uid, perr := strconv.ParseUint(q.Get("uid"), 10, 32)
			if q.Get("uid") == "" {
				uid, perr = 0, nil
			}
			if perr != nil {
				http.Error(w, "uid must be an unsigned 32-bit integer", http.StatusBadRequest)
				return
			}
			resp.UID = uint32(uid)
			if admin {
				resp.Token, err = token.BuildRTCAdmin(app.ID, app.Certificate, resp.Channel, token.UIDString(uint32(uid)), role, expire, expire)
			} else {
				resp.Token, err = token.BuildRTCWithUID(app.ID, app.Certificate, resp.Channel, uint32(uid), role, expire, expire)
			}
		}
	case "rtm":
		resp.UserID = q.Get("userId")
		if resp.UserID == "" {
			http.Error(w, "userId is required", http.StatusBadRequest)
			return
		}
		resp.Token, err = token.BuildRTM(app.ID, app.Certificate, resp.UserID, expire)
	default:
		http.Error(w, "service must be rtc or rtm", http.StatusBadRequest)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(resp)
}
