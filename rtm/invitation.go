package rtm

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/cohost-rtc/cohost/protocol"
)

// LocalInvitation is a call invitation sent by this client: Agora's
// ILocalCallInvitation. Set Content and ChannelID before Send.
type LocalInvitation struct {
	c        *Client
	id       string
	CalleeID string
	// Content (≤ 8 KB) and ChannelID travel with the invitation.
	Content   string
	ChannelID string

	mu       sync.Mutex
	state    protocol.RTMLocalInvitationState
	response string
}

// CreateLocalInvitation makes an invitation to calleeID.
func (c *Client) CreateLocalInvitation(calleeID string) *LocalInvitation {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invSeq++
	return &LocalInvitation{c: c, id: strconv.FormatUint(c.invSeq, 10), CalleeID: calleeID}
}

// State is the invitation's state.
func (inv *LocalInvitation) State() protocol.RTMLocalInvitationState {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.state
}

// Response is the callee's response (after accept or refuse).
func (inv *LocalInvitation) Response() string {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.response
}

func (inv *LocalInvitation) setState(s protocol.RTMLocalInvitationState) {
	inv.mu.Lock()
	inv.state = s
	inv.mu.Unlock()
}

// Send sends the invitation: SENT_TO_REMOTE, then
// OnLocalInvitationReceivedByPeer, then accepted, refused or a failure
// (PEER_OFFLINE, PEER_NO_RESPONSE, INVITATION_EXPIRE).
func (inv *LocalInvitation) Send(ctx context.Context) error {
	c := inv.c
	c.mu.Lock()
	c.localInv[inv.id] = inv
	c.mu.Unlock()
	err := c.call(ctx, protocol.RTMTypeSendLocalInvitation, protocol.RTMInvitationRequest{
		InvitationID: inv.id, CalleeID: inv.CalleeID, Content: inv.Content, ChannelID: inv.ChannelID}, nil)
	if err != nil {
		c.mu.Lock()
		delete(c.localInv, inv.id)
		c.mu.Unlock()
		return err
	}
	inv.mu.Lock()
	if inv.state == protocol.RTMLocalInvitationIdle {
		inv.state = protocol.RTMLocalInvitationSentToRemote
	}
	inv.mu.Unlock()
	return nil
}

// Cancel withdraws a pending invitation: CANCELED and
// OnLocalInvitationCanceled, which has run when Cancel returns (unless
// Cancel is called from a handler method: then it follows); the callee
// gets OnRemoteInvitationCanceled.
func (inv *LocalInvitation) Cancel(ctx context.Context) error {
	c := inv.c
	if err := c.call(ctx, protocol.RTMTypeCancelLocalInvitation, protocol.RTMInvitationRequest{InvitationID: inv.id}, nil); err != nil {
		return err
	}
	c.mu.Lock()
	delete(c.localInv, inv.id)
	h := c.cfg.Handler
	c.events.Push(func() { h.OnLocalInvitationCanceled(inv) })
	c.mu.Unlock()
	inv.setState(protocol.RTMLocalInvitationCanceled)
	return c.events.Wait(ctx)
}

// RemoteInvitation is a call invitation received by this client: Agora's
// IRemoteCallInvitation. Set Response before Accept or Refuse.
type RemoteInvitation struct {
	c         *Client
	id        string
	CallerID  string
	Content   string
	ChannelID string
	// Response (≤ 8 KB) goes back to the caller.
	Response string

	mu    sync.Mutex
	state protocol.RTMRemoteInvitationState
}

// State is the invitation's state.
func (inv *RemoteInvitation) State() protocol.RTMRemoteInvitationState {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.state
}

func (inv *RemoteInvitation) setState(s protocol.RTMRemoteInvitationState) {
	inv.mu.Lock()
	inv.state = s
	inv.mu.Unlock()
}

func (inv *RemoteInvitation) answer(ctx context.Context, typ protocol.Type) error {
	c := inv.c
	if typ == protocol.RTMTypeAcceptRemoteInvitation {
		inv.setState(protocol.RTMRemoteInvitationAcceptSentToLocal)
	}
	err := c.call(ctx, typ, protocol.RTMInvitationRequest{InvitationID: inv.id, CallerID: inv.CallerID, Response: inv.Response}, nil)
	c.mu.Lock()
	delete(c.remoteInv, inv.CallerID+"/"+inv.id)
	h := c.cfg.Handler
	c.mu.Unlock()
	if err != nil {
		var ie *Error[protocol.RTMInvitationErr]
		if errors.As(err, &ie) && ie.Reason != 0 {
			inv.setState(protocol.RTMRemoteInvitationFailure)
			reason := protocol.RTMRemoteInvitationFailureReason(ie.Reason)
			c.events.Push(func() { h.OnRemoteInvitationFailure(inv, reason) })
			_ = c.events.Wait(ctx)
		}
		return err
	}
	if typ == protocol.RTMTypeAcceptRemoteInvitation {
		inv.setState(protocol.RTMRemoteInvitationAccepted)
		c.events.Push(func() { h.OnRemoteInvitationAccepted(inv) })
	} else {
		inv.setState(protocol.RTMRemoteInvitationRefused)
		c.events.Push(func() { h.OnRemoteInvitationRefused(inv) })
	}
	return c.events.Wait(ctx)
}

// Accept accepts the invitation: ACCEPT_SENT_TO_LOCAL, then ACCEPTED and
// OnRemoteInvitationAccepted once the caller has it (else
// OnRemoteInvitationFailure with ACCEPT_FAILURE or PEER_OFFLINE). Accept
// and Refuse return after that callback has run, unless called from a
// handler method (then it follows) or ctx ends first (ctx.Err()).
func (inv *RemoteInvitation) Accept(ctx context.Context) error {
	return inv.answer(ctx, protocol.RTMTypeAcceptRemoteInvitation)
}

// Refuse refuses the invitation: REFUSED and OnRemoteInvitationRefused.
func (inv *RemoteInvitation) Refuse(ctx context.Context) error {
	return inv.answer(ctx, protocol.RTMTypeRefuseRemoteInvitation)
}
