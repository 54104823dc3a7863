package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// leaderGetResponse is JetStream's answer to a stream message get.
type leaderGetResponse struct {
	Message *struct {
		Seq  uint64    `json:"seq"`
		Data []byte    `json:"data"`
		Hdrs []byte    `json:"hdrs"`
		Time time.Time `json:"time"`
	} `json:"message"`
	Error *struct {
		Code        int    `json:"code"`
		Description string `json:"description"`
	} `json:"error"`
}

// readLeader reads key's lease entry from the stream leader of the lease
// bucket, not through a key-value Get: that is a direct get, answered by
// any replica, one behind the others included (after a leader change its
// entry can be one that changed since, and a compare-and-set made on it
// loses), and during a partition possibly by a cut node's replica, whose
// answer never comes. It returns the entry's value, revision and write
// time (the stream leader's clock), or jetstream.ErrKeyNotFound when there
// is none or it was deleted.
func readLeader(ctx context.Context, nc *nats.Conn, key string) (leaseEntry, error) {
	req, err := json.Marshal(map[string]string{"last_by_subj": "$KV." + LeaseBucket + "." + key})
	if err != nil {
		return leaseEntry{}, err
	}
	msg, err := nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET.KV_"+LeaseBucket, req)
	if err != nil {
		return leaseEntry{}, err
	}
	var resp leaderGetResponse
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return leaseEntry{}, fmt.Errorf("%w: %w", ErrMalformedAnswer, err)
	}
	switch {
	case resp.Error != nil && resp.Error.Code == 404:
		return leaseEntry{}, jetstream.ErrKeyNotFound
	case resp.Error != nil:
		return leaseEntry{}, fmt.Errorf("JetStream %d: %s", resp.Error.Code, resp.Error.Description)
	case resp.Message == nil:
		return leaseEntry{}, ErrMalformedAnswer
	case strings.Contains(string(resp.Message.Hdrs), "KV-Operation"):
		return leaseEntry{}, jetstream.ErrKeyNotFound // a delete or purge marker
	}
	return leaseEntry{val: resp.Message.Data, rev: resp.Message.Seq, at: resp.Message.Time}, nil
}
