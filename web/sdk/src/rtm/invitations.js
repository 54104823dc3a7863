// Call invitations: LocalInvitation and RemoteInvitation.
import { NOT_LOGGED_IN, REMOTE_FAILURES, fail } from "./codes.js";
import { EventEmitter } from "./emitter.js";
import { log } from "./log.js";

export let invitationCounter = 0;

export class LocalInvitation extends EventEmitter {
  constructor(client, calleeId) {
    super();
    this._client = client;
    this.calleeId = calleeId;
    this.content = "";
    this.channelId = "";
    this.response = "";
    this.state = "IDLE";
    this._id = `${Date.now().toString(36)}-${++invitationCounter}`;
  }
  send() {
    if (this.state !== "IDLE" && this.state !== "CANCELED" && this.state !== "FAILURE" && this.state !== "REFUSED_BY_REMOTE" && this.state !== "ACCEPTED_BY_REMOTE") {
      throw fail(3, `the invitation is ${this.state}`, "INVALID_STATE");
    }
    if (this._client._state !== "CONNECTED" && this._client._state !== "RECONNECTING") {
      this.state = "FAILURE";
      setTimeout(() => this.emit("LocalInvitationFailure", "NOT_LOGGEDIN"), 0);
      return;
    }
    this._id = `${Date.now().toString(36)}-${++invitationCounter}`;
    this._client._invitations.set(this._id, this);
    const req = { invitationId: this._id, calleeId: this.calleeId };
    if (this.content) req.content = String(this.content);
    if (this.channelId) req.channelId = String(this.channelId);
    this._client._request("send-local-invitation", req, 1).then(
      () => {
        if (this.state === "IDLE" || this.state === "CANCELED" || this.state === "FAILURE" || this.state === "REFUSED_BY_REMOTE" || this.state === "ACCEPTED_BY_REMOTE") this.state = "SENT_TO_REMOTE";
      },
      (e) => {
        this.state = "FAILURE";
        this._client._invitations.delete(this._id);
        this.emit("LocalInvitationFailure", e.code === NOT_LOGGED_IN ? "NOT_LOGGEDIN" : "UNKNOWN");
      },
    );
  }
  cancel() {
    if (!this._client._invitations.has(this._id)) throw fail(3, "the invitation is not pending", "INVALID_STATE");
    this._client._request("cancel-local-invitation", { invitationId: this._id }, 1).then(
      () => {
        this.state = "CANCELED";
        this._client._invitations.delete(this._id);
        this.emit("LocalInvitationCanceled");
      },
      (e) => log.warn("cancel failed", e),
    );
  }
}

export class RemoteInvitation extends EventEmitter {
  constructor(client, d) {
    super();
    this._client = client;
    this._id = d.invitationId;
    this.callerId = d.callerId;
    this.content = d.content || "";
    this.channelId = d.channelId || "";
    this.response = "";
    this.state = "INVITATION_RECEIVED";
  }
  _answer(type, next, done, event) {
    if (this.state !== "INVITATION_RECEIVED") throw fail(3, `the invitation is ${this.state}`, "INVALID_STATE");
    if (next) this.state = next;
    const req = { invitationId: this._id, callerId: this.callerId };
    if (this.response) req.response = String(this.response);
    this._client._request(type, req, 1).then(
      () => {
        this.state = done;
        this._client._remote.delete(this._key());
        this.emit(event);
      },
      (e) => {
        this.state = "FAILURE";
        this._client._remote.delete(this._key());
        this.emit("RemoteInvitationFailure", REMOTE_FAILURES[(e.data && e.data.reason) || 0] || (e.code === 3 ? "INVITATION_EXPIRE" : "UNKNOWN"));
      },
    );
  }
  _key() {
    return `${this.callerId}/${this._id}`;
  }
  accept() {
    this._answer("accept-remote-invitation", "ACCEPT_SENT_TO_LOCAL", "ACCEPTED", "RemoteInvitationAccepted");
  }
  refuse() {
    this._answer("refuse-remote-invitation", null, "REFUSED", "RemoteInvitationRefused");
  }
}
