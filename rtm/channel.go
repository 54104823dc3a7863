package rtm

import (
	"context"
	"sync"

	"github.com/cohost-rtc/cohost/protocol"
)

// Channel is an RTM channel: Agora's IChannel. Create it with
// Client.CreateChannel, then Join.
type Channel struct {
	c  *Client
	id string
	h  ChannelHandler

	mu     sync.Mutex
	joined bool
}

// CreateChannel creates the local object of channel channelID with its
// handler. Creating the same id twice without Release fails.
func (c *Client) CreateChannel(channelID string, h ChannelHandler) (*Channel, error) {
	if err := protocol.ValidateRTMChannelID(channelID); err != nil {
		return nil, newError(protocol.RTMJoinInvalidArgument, "%v", err)
	}
	if h == nil {
		h = BaseChannelHandler{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if c.channels[channelID] != nil {
		return nil, newError(protocol.RTMJoinInvalidArgument, "channel %q already created", channelID)
	}
	ch := &Channel{c: c, id: channelID, h: h}
	c.channels[channelID] = ch
	return ch, nil
}

// ID is the channel id.
func (ch *Channel) ID() string { return ch.id }

// Join joins the channel. OnMemberCountUpdated follows.
func (ch *Channel) Join(ctx context.Context) error {
	var resp protocol.RTMJoinChannelResponse
	if err := ch.c.call(ctx, protocol.RTMTypeJoinChannel, protocol.RTMChannelRequest{ChannelID: ch.id}, &resp); err != nil {
		return err
	}
	ch.mu.Lock()
	ch.joined = true
	ch.mu.Unlock()
	return nil
}

// Leave leaves the channel.
func (ch *Channel) Leave(ctx context.Context) error {
	ch.mu.Lock()
	ch.joined = false
	ch.mu.Unlock()
	return ch.c.call(ctx, protocol.RTMTypeLeaveChannel, protocol.RTMChannelRequest{ChannelID: ch.id}, nil)
}

// SendMessage sends msg to the other members (not to the sender).
func (ch *Channel) SendMessage(ctx context.Context, msg *Message) error {
	if msg == nil {
		return newError(protocol.RTMChannelMessageInvalidMessage, "nil message")
	}
	var resp protocol.RTMSendChannelMessageResponse
	if err := ch.c.call(ctx, protocol.RTMTypeSendChannelMessage, protocol.RTMSendChannelMessageRequest{ChannelID: ch.id, Message: *msg}, &resp); err != nil {
		return err
	}
	msg.ServerReceivedTs = resp.ServerReceivedTs
	return nil
}

// GetMembers lists the channel's members' user ids, sorted.
func (ch *Channel) GetMembers(ctx context.Context) ([]string, error) {
	var resp protocol.RTMGetMembersResponse
	if err := ch.c.call(ctx, protocol.RTMTypeGetMembers, protocol.RTMChannelRequest{ChannelID: ch.id}, &resp); err != nil {
		return nil, err
	}
	return resp.Members, nil
}

// Release forgets the channel object (leave first).
func (ch *Channel) Release() {
	ch.c.mu.Lock()
	if ch.c.channels[ch.id] == ch {
		delete(ch.c.channels, ch.id)
	}
	ch.c.mu.Unlock()
}
