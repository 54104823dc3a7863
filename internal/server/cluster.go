package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/cohost-rtc/cohost/internal/cluster"
	"github.com/cohost-rtc/cohost/internal/natsbus"
	"github.com/cohost-rtc/cohost/internal/rtmsvc"
)

// natsState is the server's NATS bus, its node registry and the RTM
// service; nil when neither RTM nor a cluster needs NATS.
type natsState struct {
	bus   *natsbus.Bus
	reg   *cluster.Registry
	svc   *rtmsvc.Service
	place *placement // nil on a single node
	edge  *edgeState // nil on a single node
	relay *relayNode // nil on a single node
	once  sync.Once
}

// needsNATS reports whether the server connects to NATS: for RTM, or to
// be one node of a cluster.
func (s *Server) needsNATS() bool {
	return s.cfg.RTM.Enabled || s.cfg.Cluster.Clustered() || s.cfg.NATS.URL != ""
}

// natsConfig is the bus configuration: the embedded server's store, name,
// credentials, TLS and routes, or the external NATS's URL, credentials
// and TLS.
func (s *Server) natsConfig() (natsbus.Config, error) {
	c := s.cfg
	creds := natsbus.Credentials{Token: c.NATS.Token, User: c.NATS.User, Password: c.NATS.Password,
		NKeySeedFile: c.NATS.NKeySeedFile, CredsFile: c.NATS.CredsFile}
	tls := natsbus.TLS{Cert: c.NATS.TLSCert, Key: c.NATS.TLSKey, CA: c.NATS.TLSCA}
	bc := natsbus.Config{URL: c.NATS.URL, Credentials: creds, TLS: tls, Replicas: c.NATSReplicas(),
		Name: "cohost " + c.Listen, Logger: s.logger}
	if c.NATS.URL != "" {
		return bc, nil
	}
	store := c.NATS.StoreDir
	if store == "" {
		if c.DataDir == "" {
			return bc, fmt.Errorf("server: NATS needs nats.storeDir or dataDir for the embedded server")
		}
		store = filepath.Join(c.DataDir, "nats")
	}
	if creds == (natsbus.Credentials{}) {
		if c.Cluster.Secret != "" {
			creds.Token = c.Cluster.Secret
		} else {
			dir := c.DataDir
			if dir == "" {
				dir = store
			}
			tok, err := natsbus.EnsureToken(filepath.Join(dir, "nats-token"))
			if err != nil {
				return bc, fmt.Errorf("server: %w", err)
			}
			creds.Token = tok
		}
	}
	name, err := natsbus.EnsureServerName(store)
	if err != nil {
		return bc, fmt.Errorf("server: %w", err)
	}
	bc.Server = natsbus.ServerConfig{Name: name, StoreDir: store, Listen: c.NATS.Listen, Credentials: creds, TLS: tls,
		Cluster: natsbus.Cluster{Listen: c.Cluster.Listen, Peers: c.Cluster.PeerList(), Secret: c.Cluster.Secret}}
	return bc, nil
}

// startNATS opens the bus and registers the node. A forming cluster is
// waited for up to two minutes (its first node needs a second one before
// JetStream answers).
func (s *Server) startNATS() error {
	if !s.needsNATS() {
		return nil
	}
	bc, err := s.natsConfig()
	if err != nil {
		return err
	}
	wait := 20 * time.Second
	if s.cfg.Cluster.Clustered() {
		wait = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	bus, err := natsbus.Open(ctx, bc)
	if err != nil {
		return fmt.Errorf("server: NATS: %w", err)
	}
	_, port, _ := net.SplitHostPort(s.HTTPAddr().String())
	sampler := s.newLoadSampler()
	reg, err := cluster.Start(bus.Conn, cluster.Config{
		Self:    cluster.Node{Name: bc.Server.Name, SignalURL: s.cfg.AdvertisedURL(port), MediaAddr: s.advertisedMediaAddr()},
		Timeout: s.cfg.Cluster.NodeTimeout, Load: sampler.sample, Logger: s.logger,
		OnMalformed: func() { s.metrics.malformed.WithLabelValues("heartbeat").Inc() },
	})
	if err != nil {
		bus.Close()
		return fmt.Errorf("server: %w", err)
	}
	s.nats = &natsState{bus: bus, reg: reg}
	if err := s.startRTM(ctx); err != nil {
		reg.Close()
		bus.Close()
		s.nats = nil
		return err
	}
	sampler.setRTM(s.nats.svc)
	if s.placed() {
		place, err := s.startPlacement(ctx, bus, reg)
		if err != nil {
			if s.nats.svc != nil {
				s.nats.svc.Close()
			}
			reg.Close()
			bus.Close()
			s.nats = nil
			return err
		}
		s.nats.place = place
		edge, err := s.startEdge(bus.Conn, reg)
		if err != nil {
			place.leases.Close()
			if s.nats.svc != nil {
				s.nats.svc.Close()
			}
			reg.Close()
			bus.Close()
			s.nats = nil
			return err
		}
		s.nats.edge = edge
		relay, err := s.startRelayNode(edge)
		if err != nil {
			edge.close()
			place.leases.Close()
			if s.nats.svc != nil {
				s.nats.svc.Close()
			}
			reg.Close()
			bus.Close()
			s.nats = nil
			return err
		}
		s.nats.relay = relay
	}
	return nil
}

// advertisedMediaAddr is the media address clients are given.
func (s *Server) advertisedMediaAddr() string {
	a := s.MediaAddr().(*net.UDPAddr)
	host := a.IP.String()
	if s.cfg.AdvertiseIP != "" {
		host = s.cfg.AdvertiseIP
	}
	return net.JoinHostPort(host, strconv.Itoa(a.Port))
}

// loadSampler turns the forwarded packet counter into a rate between two
// heartbeats, and counts the RTC and RTM users.
type loadSampler struct {
	s        *Server
	mu       sync.Mutex
	rtm      *rtmsvc.Service
	lastPkts uint64
	lastAt   time.Time
}

func (l *loadSampler) setRTM(svc *rtmsvc.Service) {
	l.mu.Lock()
	l.rtm = svc
	l.mu.Unlock()
}

func (s *Server) newLoadSampler() *loadSampler {
	return &loadSampler{s: s, lastPkts: s.stats.PacketsOut(), lastAt: time.Now()}
}

func (l *loadSampler) sample() cluster.Load {
	s := l.s
	s.mu.Lock()
	users := len(s.sessions)
	s.mu.Unlock()
	now, pkts := time.Now(), s.stats.PacketsOut()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rtm != nil {
		users += l.rtm.Sessions()
	}
	var pps float64
	if d := now.Sub(l.lastAt).Seconds(); d > 0 {
		pps = float64(pkts-l.lastPkts) / d
	}
	l.lastPkts, l.lastAt = pkts, now
	limit := s.cfg.Cluster.MaxUsers
	return cluster.Load{Users: users, PacketsPerSecond: pps, Full: limit > 0 && users >= limit}
}

// stopNATS ends every RTM session gracefully, says goodbye to the cluster
// and closes the bus.
func (s *Server) stopNATS() {
	if s.nats == nil {
		return
	}
	s.nats.once.Do(func() {
		if s.nats.relay != nil {
			s.nats.relay.close()
		}
		if s.nats.edge != nil {
			s.nats.edge.close()
		}
		if s.nats.place != nil {
			s.nats.place.leases.Close()
		}
		if s.nats.svc != nil {
			s.nats.svc.Close()
		}
		s.nats.reg.Close()
		s.nats.bus.Close()
	})
}

// KillNode stops the server's part in the cluster abruptly, as if the
// process had died: RTM clients' connections drop, the node stops
// heartbeating and its NATS connection (and embedded server) close without
// any cleanup; other nodes mark it dead after cluster.nodeTimeout. The RTC
// side keeps running. For tests.
func (s *Server) KillNode() {
	if s.nats == nil {
		return
	}
	s.nats.once.Do(func() {
		if s.nats.relay != nil {
			s.nats.relay.close()
		}
		if s.nats.edge != nil {
			s.nats.edge.close()
		}
		if s.nats.place != nil {
			s.nats.place.leases.Kill()
		}
		if s.nats.svc != nil {
			s.nats.svc.Kill()
		}
		s.nats.reg.Kill()
		s.nats.bus.Close()
	})
}

// CutNATS closes the node's NATS connection and nothing else, as a
// network partition that leaves the node alone would: it can no longer
// heartbeat nor renew its channel leases, while its clients stay
// connected. The other nodes mark it dead after cluster.nodeTimeout; it
// gives its channels up once their leases go unrenewed for the lease
// time. For tests.
func (s *Server) CutNATS() {
	if s.nats != nil {
		s.nats.bus.Conn.Close()
	}
}

// Crash stops the node as a killed process would stop: KillNode, then the
// listener closes (new connections are refused), every client connection
// drops without a word and every peer connection closes. Nobody is told
// anything; the server only finishes releasing its resources when it is
// closed. For tests.
func (s *Server) Crash() {
	s.crashed.Store(true)
	s.KillNode()
	_ = s.httpLn.Close()
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	sessions := make([]*Participant, 0, len(s.sessions))
	for _, p := range s.sessions {
		sessions = append(sessions, p)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.closeNow(websocket.StatusGoingAway, "")
	}
	for _, p := range sessions {
		p.closeMedia()
	}
}

// KillRTM is KillNode (kept for the RTM tests' vocabulary).
func (s *Server) KillRTM() { s.KillNode() }

// NodeID is the node's id in the cluster ("" without NATS).
func (s *Server) NodeID() string {
	if s.nats == nil {
		return ""
	}
	return string(s.nats.reg.ID())
}

// ClusterNodes lists the live nodes the registry knows, this one
// included (nil without NATS).
func (s *Server) ClusterNodes() []cluster.Node {
	if s.nats == nil {
		return nil
	}
	return s.nats.reg.Nodes()
}

// NATSClientURL is the embedded NATS server's client URL when it listens
// (nats.listen), else "".
func (s *Server) NATSClientURL() string {
	if s.nats == nil {
		return ""
	}
	return s.nats.bus.ClientURL()
}

// NATSClusterAddr is the embedded NATS server's route address when it is
// part of a cluster, else "".
func (s *Server) NATSClusterAddr() string {
	if s.nats == nil {
		return ""
	}
	return s.nats.bus.ClusterAddr()
}

// ClusterPath serves the node list as JSON.
const ClusterPath = "/v1/cluster"

// ClusterInfo is the answer of GET /v1/cluster: this node's id and every
// live node it knows, itself included, by id.
type ClusterInfo struct {
	Self  cluster.NodeID `json:"self"`
	Nodes []ClusterNode  `json:"nodes"`
}

// ClusterNode is one node of ClusterInfo.
type ClusterNode struct {
	cluster.Node
	// LastSeenMs is how long ago the answering node heard from it.
	LastSeenMs int64 `json:"lastSeenMs"`
}

// clusterRoutes registers GET /v1/cluster when the node is on NATS.
func (s *Server) clusterRoutes(mux *http.ServeMux) {
	if s.nats == nil {
		return
	}
	mux.HandleFunc("GET "+ClusterPath, func(w http.ResponseWriter, _ *http.Request) {
		now := time.Now()
		info := ClusterInfo{Self: s.nats.reg.ID()}
		for _, n := range s.nats.reg.Nodes() {
			info.Nodes = append(info.Nodes, ClusterNode{Node: n, LastSeenMs: now.Sub(n.LastSeen).Milliseconds()})
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(info)
	})
}
