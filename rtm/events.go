package rtm

import (
	"encoding/json"

	"github.com/cohost-rtc/cohost/protocol"
)

// onEvent runs on the reader goroutine: it acknowledges peer messages at
// once and queues the callbacks.
func (c *Client) onEvent(k *conn, env *protocol.Envelope) {
	h := c.cfg.Handler
	switch env.Type {
	case protocol.RTMEventPeerMessage:
		var ev protocol.RTMPeerMessageEvent
		if protocol.DecodeMessage(env.Data, &ev, "message", &ev.Message.Text) != nil {
			return
		}
		if ev.DeliveryID != 0 {
			_ = k.send(protocol.Envelope{Type: protocol.RTMTypeAck, Data: mustJSON(protocol.RTMAck{DeliveryID: ev.DeliveryID})})
		}
		msg := ev.Message
		c.events.Push(func() { h.OnMessageReceived(ev.PeerID, &msg) })
	case protocol.RTMEventChannelMessage:
		var ev protocol.RTMChannelMessageEvent
		if protocol.DecodeMessage(env.Data, &ev, "message", &ev.Message.Text) == nil {
			if ch := c.channel(ev.ChannelID); ch != nil {
				msg := ev.Message
				c.events.Push(func() { ch.h.OnMessageReceived(ev.UserID, &msg) })
			}
		}
	case protocol.RTMEventMemberJoined, protocol.RTMEventMemberLeft:
		var ev protocol.RTMMemberEvent
		if json.Unmarshal(env.Data, &ev) == nil {
			if ch := c.channel(ev.ChannelID); ch != nil {
				if env.Type == protocol.RTMEventMemberJoined {
					c.events.Push(func() { ch.h.OnMemberJoined(ev.UserID) })
				} else {
					c.events.Push(func() { ch.h.OnMemberLeft(ev.UserID) })
				}
			}
		}
	case protocol.RTMEventMemberCountUpdated:
		var ev protocol.RTMMemberCountEvent
		if json.Unmarshal(env.Data, &ev) == nil {
			if ch := c.channel(ev.ChannelID); ch != nil {
				c.events.Push(func() { ch.h.OnMemberCountUpdated(ev.Count) })
			}
		}
	case protocol.RTMEventAttributesUpdated:
		var ev protocol.RTMAttributesUpdatedEvent
		if json.Unmarshal(env.Data, &ev) == nil {
			if ch := c.channel(ev.ChannelID); ch != nil {
				c.events.Push(func() { ch.h.OnAttributesUpdated(ev.Attributes) })
			}
		}
	case protocol.RTMEventPeersOnlineStatus:
		var ev protocol.RTMPeersOnlineStatusEvent
		if json.Unmarshal(env.Data, &ev) == nil {
			c.events.Push(func() { h.OnPeersOnlineStatusChanged(ev.Statuses) })
		}
	case protocol.RTMEventTokenWillExpire:
		c.events.Push(h.OnTokenPrivilegeWillExpire)
	case protocol.RTMEventDisconnect:
		var ev protocol.RTMDisconnectEvent
		if json.Unmarshal(env.Data, &ev) != nil {
			return
		}
		c.mu.Lock()
		if ev.State == protocol.RTMStateAborted {
			c.setStateLocked(protocol.RTMStateAborted, ev.Reason)
			if ev.Reason == protocol.RTMReasonTokenExpired {
				c.events.Push(h.OnTokenExpired)
			}
		}
		c.mu.Unlock()
	case protocol.RTMEventRemoteInvitationReceived:
		var ev protocol.RTMInvitationEvent
		if json.Unmarshal(env.Data, &ev) != nil {
			return
		}
		inv := &RemoteInvitation{c: c, id: ev.InvitationID, CallerID: ev.CallerID, Content: ev.Content, ChannelID: ev.ChannelID,
			state: protocol.RTMRemoteInvitationReceived}
		c.mu.Lock()
		c.remoteInv[ev.CallerID+"/"+ev.InvitationID] = inv
		c.mu.Unlock()
		c.events.Push(func() { h.OnRemoteInvitationReceived(inv) })
	case protocol.RTMEventRemoteInvitationCanceled, protocol.RTMEventRemoteInvitationFailure:
		var ev protocol.RTMInvitationEvent
		if json.Unmarshal(env.Data, &ev) != nil {
			return
		}
		key := ev.CallerID + "/" + ev.InvitationID
		c.mu.Lock()
		inv := c.remoteInv[key]
		delete(c.remoteInv, key)
		c.mu.Unlock()
		if inv == nil {
			return
		}
		if env.Type == protocol.RTMEventRemoteInvitationCanceled {
			inv.setState(protocol.RTMRemoteInvitationCanceled)
			c.events.Push(func() { h.OnRemoteInvitationCanceled(inv) })
		} else {
			inv.setState(protocol.RTMRemoteInvitationFailure)
			c.events.Push(func() { h.OnRemoteInvitationFailure(inv, protocol.RTMRemoteInvitationFailureReason(ev.Reason)) })
		}
	case protocol.RTMEventLocalInvitationReceived, protocol.RTMEventLocalInvitationAccepted,
		protocol.RTMEventLocalInvitationRefused, protocol.RTMEventLocalInvitationFailure:
		var ev protocol.RTMInvitationEvent
		if json.Unmarshal(env.Data, &ev) != nil {
			return
		}
		c.mu.Lock()
		inv := c.localInv[ev.InvitationID]
		if inv != nil && env.Type != protocol.RTMEventLocalInvitationReceived {
			delete(c.localInv, ev.InvitationID)
		}
		c.mu.Unlock()
		if inv == nil {
			return
		}
		switch env.Type {
		case protocol.RTMEventLocalInvitationReceived:
			inv.setState(protocol.RTMLocalInvitationReceivedByRemote)
			c.events.Push(func() { h.OnLocalInvitationReceivedByPeer(inv) })
		case protocol.RTMEventLocalInvitationAccepted:
			inv.mu.Lock()
			inv.state, inv.response = protocol.RTMLocalInvitationAcceptedByRemote, ev.Response
			inv.mu.Unlock()
			c.events.Push(func() { h.OnLocalInvitationAccepted(inv, ev.Response) })
		case protocol.RTMEventLocalInvitationRefused:
			inv.mu.Lock()
			inv.state, inv.response = protocol.RTMLocalInvitationRefusedByRemote, ev.Response
			inv.mu.Unlock()
			c.events.Push(func() { h.OnLocalInvitationRefused(inv, ev.Response) })
		default:
			inv.setState(protocol.RTMLocalInvitationFailure)
			c.events.Push(func() { h.OnLocalInvitationFailure(inv, protocol.RTMLocalInvitationFailureReason(ev.Reason)) })
		}
	}
}

func (c *Client) channel(id string) *Channel {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.channels[id]
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
