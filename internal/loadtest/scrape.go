package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serverSample is a reading of the server's /metrics.
type serverSample struct {
	at         time.Time
	cpuSeconds float64
	rss        float64
	pktsIn     float64
	pktsOut    float64
	bytesIn    float64
	bytesOut   float64
	nacks      float64
	plis       float64
	rtx        float64
	writeErrs  float64
	dropped    float64
	users      float64
	// nodePktsOut is cohost_rtp_packets_out_total of each node, in the
	// order of the URLs given.
	nodePktsOut []float64
}

// scrape reads every node's /metrics and sums them: CPU, memory, packets
// and users of the whole cluster.
func (t *target) scrape(ctx context.Context) (serverSample, error) {
	s := serverSample{at: time.Now()}
	for _, base := range t.bases {
		before := s.pktsOut
		if err := t.scrapeInto(ctx, urlAt(base, "/metrics", nil), &s); err != nil {
			return s, err
		}
		s.nodePktsOut = append(s.nodePktsOut, s.pktsOut-before)
	}
	return s, nil
}

// scrapeInto adds what the /metrics at u (Prometheus text format) says to
// s.
func (t *target) scrapeInto(ctx context.Context, u string, s *serverSample) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if t.metricsToken != "" {
		req.Header.Set("Authorization", "Bearer "+t.metricsToken)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return fmt.Errorf("loadtest: server metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("loadtest: server metrics: %s", resp.Status)
	}
	fields := map[string]*float64{
		"process_cpu_seconds_total":     &s.cpuSeconds,
		"process_resident_memory_bytes": &s.rss,
		"cohost_rtp_packets_in_total":   &s.pktsIn,
		"cohost_rtp_packets_out_total":  &s.pktsOut,
		"cohost_rtp_bytes_in_total":     &s.bytesIn,
		"cohost_rtp_bytes_out_total":    &s.bytesOut,
		"cohost_nacks_received_total":   &s.nacks,
		"cohost_plis_sent_total":        &s.plis,
		"cohost_rtp_retransmits_total":  &s.rtx,
		"cohost_rtp_write_errors_total": &s.writeErrs,
		"cohost_egress_dropped_total":   &s.dropped,
		"cohost_users":                  &s.users, // summed over roles
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(line, " ")
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
			if j := strings.LastIndexByte(line, '}'); j >= 0 {
				rest, ok = strings.TrimSpace(line[j+1:]), true
			}
		}
		p := fields[name]
		if p == nil || !ok {
			continue
		}
		if v, _, _ := strings.Cut(strings.TrimSpace(rest), " "); v != "" {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				*p += f
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("loadtest: server metrics: %w", err)
	}
	return nil
}
