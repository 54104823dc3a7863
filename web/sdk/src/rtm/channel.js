// RtmChannel: a channel's join, leave, messages, members and attributes.
import { fail } from "./codes.js";
import { EventEmitter } from "./emitter.js";
import { wireMessage } from "./messages.js";

export class RtmChannel extends EventEmitter {
  constructor(client, channelId) {
    super();
    this.channelId = channelId;
    this._client = client;
    this._joined = false;
  }
  async join() {
    this._client._check(3);
    if (this._joined) throw fail(6, `already joined ${this.channelId}`, "ALREADY_JOINED");
    await this._client._request("join-channel", { channelId: this.channelId }, 1);
    this._joined = true;
  }
  async leave() {
    this._client._check(3);
    if (!this._joined) throw fail(3, `not in ${this.channelId}`, "NOT_IN_CHANNEL");
    this._joined = false;
    await this._client._request("leave-channel", { channelId: this.channelId }, 1);
  }
  async sendMessage(message) {
    this._client._check(1);
    const m = wireMessage(message, 4);
    await this._client._request("send-channel-message", { channelId: this.channelId, message: m }, 2);
  }
  async getMembers() {
    this._client._check(1);
    const r = await this._client._request("get-members", { channelId: this.channelId }, 3);
    return r.members || [];
  }
}
