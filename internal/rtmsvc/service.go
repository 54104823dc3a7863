// Package rtmsvc is cohost's real-time messaging service: Agora RTM 1.x
// semantics (login, peer and channel messages, presence, channel and user
// attributes, call invitations) on NATS. Every node of a deployment runs
// one Service on the same NATS; together they act as one RTM service.
//
// State that must be shared or survive a node lives in JetStream key-value
// buckets (sessions, channel members, channel and user attributes) and a
// stream (offline messages); files and images of media messages in an
// object store. Each node mirrors the sessions and members
// buckets in memory through watchers, which gives it presence, member
// lists, member events and REMOTE_LOGIN detection without asking anyone.
// Messages travel on core NATS subjects: one per logged-in user (served by
// the node holding the session) and one per channel (subscribed by the
// nodes that have local members). See docs/rtm.md.
package rtmsvc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/natsbus"
	"github.com/cohost-rtc/cohost/protocol"
)

// Bucket, stream and subject names.
const (
	bucketSessions     = "RTM_SESSIONS"
	bucketMembers      = "RTM_MEMBERS"
	bucketChannelAttrs = "RTM_CHANNEL_ATTRS"
	bucketUserAttrs    = "RTM_USER_ATTRS"
	streamOffline      = "RTM_OFFLINE"
)

// Config is what the service needs from the server configuration.
type Config struct {
	RTM          config.RTM
	Apps         []config.App
	TokenWarning time.Duration
	Logger       *slog.Logger
	// Metrics, if set, is told of every peer and channel message.
	Metrics Metrics
	// Registry says which nodes live (required): this node's id is its
	// id, and the sessions of nodes it declares dead are ended.
	Registry *cluster.Registry
}

// Metrics receives what the service does, for monitoring.
type Metrics interface {
	// PeerMessage: a peer message ended with result; d is the time from
	// the request to the answer (for OK: the receiver's acknowledgement).
	PeerMessage(result protocol.RTMPeerMessageErr, d time.Duration)
	// ChannelMessage: a channel message was accepted and fanned out.
	ChannelMessage()
	// MalformedMessage: a message from NATS that could not be decoded
	// was dropped; kind says which (peer, channel, reply).
	MalformedMessage(kind string)
	// HeavyWait: a request over 4 KB waited d for the node's pace of
	// heavy bytes (rtm.limits.heavyBytesPerSecondPerCPU).
	HeavyWait(d time.Duration)
}

// rates are the parsed rate limits.
type rates struct {
	messages, login, renew, join, joinSame, getMembers, memberCount, chWrites, chReads,
	uWrites, uReads, presenceQ, presenceS, invitations, requests config.Rate
}

// Service is one node of the RTM service.
type Service struct {
	cfg     config.RTM
	rates   rates
	apps    map[string]config.App
	warn    time.Duration
	log     *slog.Logger
	metrics Metrics
	fair    *fairness
	frames  frames // buffers of frames read and events written
	bus     *natsbus.Bus
	nc      *nats.Conn
	reg     *cluster.Registry
	node    string
	start   time.Time
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	kvSessions, kvMembers, kvChAttrs, kvUserAttrs jetstream.KeyValue
	offline                                       jetstream.Stream
	media                                         jetstream.ObjectStore

	replySub *nats.Subscription

	mu        sync.Mutex
	cond      *sync.Cond // broadcast when a mirror advances
	closed    bool
	conns     map[*wsConn]struct{}
	sessions  map[string]*session              // local sessions by user key
	chLocal   map[string]map[*session]struct{} // local members by channel key
	chSubs    map[string]*nats.Subscription    // channel subjects of chLocal
	watchers  map[string]map[*session]struct{} // local presence subscribers by user key
	replies   map[string]*pendingReply
	mirS      map[string]sessRec // sessions mirror by user key
	mirM      map[string]map[string]memberRec
	revS      uint64 // last applied revision of the sessions mirror
	revM      uint64
	readyS    bool
	readyM    bool
	countSent map[string]time.Time // last member count event by channel key
	countDue  map[string]bool
	uploads   map[string]int // media uploads in progress by session id
	nextID    uint64
}

// sessRec is a session record in the sessions bucket.
type sessRec struct {
	Node        string `json:"node"`
	SID         string `json:"sid"`
	Unreachable bool   `json:"unreachable,omitempty"`
	Since       int64  `json:"since"`
	rev         uint64
}

// memberRec is a channel membership in the members bucket.
type memberRec struct {
	SID string `json:"sid"`
	TS  int64  `json:"ts"`
	rev uint64
}

// New connects the service to the bus: it creates the buckets and the
// stream and starts the mirrors; ctx bounds the wait (long on a forming
// cluster). Close it with Close
// (graceful) or Kill (abrupt, for tests).
func New(ctx context.Context, cfg Config, bus *natsbus.Bus) (*Service, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rt, err := parseRates(cfg.RTM.Rates)
	if err != nil {
		return nil, err
	}
	if cfg.Registry == nil {
		return nil, ErrNoRegistry
	}
	warn := cfg.TokenWarning
	if warn <= 0 {
		warn = 30 * time.Second
	}
	s := &Service{
		cfg: cfg.RTM, rates: rt, apps: map[string]config.App{}, warn: warn, log: log, metrics: cfg.Metrics,
		bus: bus, nc: bus.Conn,
		reg: cfg.Registry, node: string(cfg.Registry.ID()), start: time.Now(),
		conns: map[*wsConn]struct{}{}, sessions: map[string]*session{}, chLocal: map[string]map[*session]struct{}{},
		chSubs: map[string]*nats.Subscription{}, watchers: map[string]map[*session]struct{}{},
		replies: map[string]*pendingReply{}, mirS: map[string]sessRec{},
		mirM: map[string]map[string]memberRec{}, countSent: map[string]time.Time{}, countDue: map[string]bool{},
		uploads: map[string]int{},
	}
	s.cond = sync.NewCond(&s.mu)
	var waited func(time.Duration)
	if s.metrics != nil {
		waited = s.metrics.HeavyWait
	}
	s.fair = newFairness(cfg.RTM.Limits.NodeBudgetBytes, cfg.RTM.Limits.HeavyBytesPerSecondPerCPU*runtime.GOMAXPROCS(0),
		max(256<<10, cfg.RTM.Limits.MaxFrameBytes), waited)
	for _, a := range cfg.Apps {
		s.apps[a.ID] = a
	}
	s.log = log.With("node", s.node)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopWait := context.AfterFunc(s.ctx, cancel)
	defer stopWait()
	kvs := []struct {
		p   *jetstream.KeyValue
		cfg jetstream.KeyValueConfig
	}{
		{&s.kvSessions, jetstream.KeyValueConfig{Bucket: bucketSessions, Description: "cohost RTM sessions", Storage: jetstream.MemoryStorage}},
		{&s.kvMembers, jetstream.KeyValueConfig{Bucket: bucketMembers, Description: "cohost RTM channel members", Storage: jetstream.MemoryStorage}},
		{&s.kvChAttrs, jetstream.KeyValueConfig{Bucket: bucketChannelAttrs, Description: "cohost RTM channel attributes", Storage: jetstream.FileStorage, MaxValueSize: 1 << 20}},
		{&s.kvUserAttrs, jetstream.KeyValueConfig{Bucket: bucketUserAttrs, Description: "cohost RTM user attributes", Storage: jetstream.MemoryStorage, MaxValueSize: 1 << 20}},
	}
	for _, k := range kvs {
		if *k.p, err = bus.KeyValue(ctx, k.cfg); err != nil {
			s.cancel()
			return nil, err
		}
	}
	s.offline, err = bus.Stream(ctx, jetstream.StreamConfig{
		Name: streamOffline, Description: "cohost RTM offline peer messages", Subjects: []string{"rtm.offline.>"},
		Storage: jetstream.FileStorage, MaxMsgsPerSubject: int64(cfg.RTM.Limits.MaxOfflineMessages),
		MaxAge: cfg.RTM.Timers.OfflineMessageTTL, Discard: jetstream.DiscardOld,
	})
	if err != nil {
		s.cancel()
		return nil, err
	}
	if s.media, err = bus.ObjectStore(ctx, mediaBucketConfig()); err != nil {
		s.cancel()
		return nil, err
	}
	if s.replySub, err = s.nc.Subscribe("rtm.reply."+s.node+".*", s.onReply); err != nil {
		s.cancel()
		return nil, fmt.Errorf("rtmsvc: subscribe: %w", err)
	}
	if err := s.startMirrors(ctx); err != nil {
		s.stopSubs()
		s.cancel()
		return nil, err
	}
	s.wg.Add(1)
	go s.janitor()
	s.log.Info("RTM service started", "embeddedNATS", bus.Embedded())
	return s, nil
}

func parseRates(r config.RTMRates) (rates, error) {
	var out rates
	var errs []error
	p := func(dst *config.Rate, s, name string) {
		v, err := config.ParseRate(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("rtm.rates.%s: %w", name, err))
		}
		*dst = v
	}
	p(&out.messages, r.Messages, "messages")
	p(&out.login, r.Login, "login")
	p(&out.renew, r.RenewToken, "renewToken")
	p(&out.join, r.JoinChannel, "joinChannel")
	p(&out.joinSame, r.JoinSameChannel, "joinSameChannel")
	p(&out.getMembers, r.GetMembers, "getMembers")
	p(&out.memberCount, r.MemberCount, "memberCount")
	p(&out.chWrites, r.ChannelAttributeWrites, "channelAttributeWrites")
	p(&out.chReads, r.ChannelAttributeReads, "channelAttributeReads")
	p(&out.uWrites, r.UserAttributeWrites, "userAttributeWrites")
	p(&out.uReads, r.UserAttributeReads, "userAttributeReads")
	p(&out.presenceQ, r.PresenceQueries, "presenceQueries")
	p(&out.presenceS, r.PresenceSubscriptions, "presenceSubscriptions")
	p(&out.invitations, r.Invitations, "invitations")
	p(&out.requests, r.Requests, "requests")
	return out, errors.Join(errs...)
}

// Sessions is the number of sessions held by this node.
func (s *Service) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Node is this node's id.
func (s *Service) Node() string { return s.node }

// Close ends every local session (their users go OFFLINE and leave their
// channels; clients get a disconnect with SERVER_SHUTDOWN and may reconnect
// elsewhere), then stops the node. It does not close the bus.
func (s *Service) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	sessions := make([]*session, 0, len(s.sessions))
	for _, se := range s.sessions {
		sessions = append(sessions, se)
	}
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, se := range sessions {
		s.endSession(se, endShutdown)
	}
	for _, c := range conns {
		c.close(1001, "server shutting down")
	}
	s.waitConns(3 * time.Second)
	_ = s.nc.Flush()
	s.stop()
}

// Kill stops the node abruptly, as if its process died: connections are
// dropped and nothing is announced or cleaned up. Once the registry too
// stops, other nodes notice after cluster.nodeTimeout. For tests.
func (s *Service) Kill() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	for _, se := range s.sessions {
		se.stopTimersLocked()
	}
	s.mu.Unlock()
	s.stopSubs()
	s.cancel()
	for _, c := range conns {
		c.kill()
	}
	s.waitConns(3 * time.Second)
	s.stop()
}

func (s *Service) waitConns(d time.Duration) {
	deadline := time.Now().Add(d)
	for {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 || time.Now().After(deadline) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Service) stopSubs() {
	if s.replySub != nil {
		_ = s.replySub.Unsubscribe()
	}
	s.mu.Lock()
	for k, sub := range s.chSubs {
		_ = sub.Unsubscribe()
		delete(s.chSubs, k)
	}
	for _, se := range s.sessions {
		if se.userSub != nil {
			_ = se.userSub.Unsubscribe()
			se.userSub = nil
		}
	}
	s.mu.Unlock()
}

func (s *Service) stop() {
	s.stopSubs()
	s.cancel()
	s.mu.Lock()
	s.cond.Broadcast()
	for _, r := range s.replies {
		r.timer.Stop()
	}
	s.replies = map[string]*pendingReply{}
	s.mu.Unlock()
	s.wg.Wait()
}

// Keys and subjects. User and channel ids may hold characters NATS does
// not allow in subjects or keys ('.', '>', ' '), so they are encoded.
func enc(s string) string                   { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
func userKey(app, user string) string       { return app + "." + enc(user) }
func chanKey(app, ch string) string         { return app + "." + enc(ch) }
func memberKey(app, ch, user string) string { return chanKey(app, ch) + "." + enc(user) }
func userSubject(ukey string) string        { return "rtm.user." + ukey }
func chanSubject(ckey string) string        { return "rtm.chan." + ckey }
func offlineSubject(ukey string) string     { return "rtm.offline." + ukey }

// splitMemberKey returns the channel key and the user id of a member key.
func splitMemberKey(k string) (ckey, user string, ok bool) {
	i := strings.LastIndexByte(k, '.')
	if i < 0 {
		return "", "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(k[i+1:])
	if err != nil {
		return "", "", false
	}
	return k[:i], string(b), true
}

// decodeUserKey returns the user id of a user key.
func decodeUserKey(k string) (string, bool) {
	i := strings.IndexByte(k, '.')
	if i < 0 {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(k[i+1:])
	return string(b), err == nil
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func nowMs() int64 { return time.Now().UnixMilli() }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
