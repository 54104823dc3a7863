// Channel media relay: Agora's state, error and event names, and
// ChannelMediaRelayConfiguration.
import { fail } from "./errors.js";
import { checkChannel, checkUid } from "./validation.js";

export const RELAY_STATES = ["RELAY_STATE_IDLE", "RELAY_STATE_CONNECTING", "RELAY_STATE_RUNNING", "RELAY_STATE_FAILURE"];
// Agora Web names 0, 8, 10 and 11; the others carry the native name
// without its RELAY_ERROR_ prefix.
export const RELAY_ERRORS = ["RELAY_OK", "SERVER_ERROR_RESPONSE", "SERVER_NO_RESPONSE", "NO_RESOURCE_AVAILABLE",
  "FAILED_JOIN_SRC", "FAILED_JOIN_DEST", "FAILED_PACKET_RECEIVED_FROM_SRC", "FAILED_PACKET_SENT_TO_DEST",
  "SERVER_CONNECTION_LOST", "INTERNAL_ERROR", "SRC_TOKEN_EXPIRED", "DEST_TOKEN_EXPIRED"];
// Agora Web names 0–9; 10–15 are native names without RELAY_EVENT_.
export const RELAY_EVENTS = ["NETWORK_DISCONNECTED", "NETWORK_CONNECTED", "PACKET_JOINED_SRC_CHANNEL",
  "PACKET_JOINED_DEST_CHANNEL", "PACKET_SENT_TO_DEST_CHANNEL", "PACKET_RECEIVED_VIDEO_FROM_SRC",
  "PACKET_RECEIVED_AUDIO_FROM_SRC", "PACKET_UPDATE_DEST_CHANNEL", "PACKET_UPDATE_DEST_CHANNEL_REFUSED",
  "PACKET_UPDATE_DEST_CHANNEL_NOT_CHANGE", "PACKET_UPDATE_DEST_CHANNEL_IS_NULL", "VIDEO_PROFILE_UPDATE",
  "PAUSE_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS", "PAUSE_SEND_PACKET_TO_DEST_CHANNEL_FAILED",
  "RESUME_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS", "RESUME_SEND_PACKET_TO_DEST_CHANNEL_FAILED"];

// ---------------------------------------------------------------- relay configuration

export function checkMediaInfo(info, what) {
  if (!info || typeof info !== "object") throw fail("INVALID_PARAMS", `${what} must be {channelName, token, uid}`);
  checkChannel(info.channelName, `${what}.channelName`);
  if (info.uid !== undefined && info.uid !== null) checkUid(info.uid, `${what}.uid`);
  if (info.token !== undefined && info.token !== null && typeof info.token !== "string") throw fail("INVALID_PARAMS", `${what}.token must be a string`);
  return { channelName: info.channelName, token: info.token || "", uid: info.uid || 0 };
}

// ChannelMediaRelayConfiguration: the source and destination channels of
// a channel media relay, as Agora Web's IChannelMediaRelayConfiguration.
export class ChannelMediaRelayConfiguration {
  constructor() {
    this._src = null;
    this._dests = new Map();
  }
  setSrcChannelInfo(info) {
    if (!info || typeof info !== "object") throw fail("INVALID_PARAMS", "srcInfo must be {channelName, token, uid}");
    const src = { channelName: info.channelName || "", token: info.token || "", uid: info.uid || 0 };
    if (src.channelName) checkChannel(src.channelName, "srcInfo.channelName");
    checkUid(src.uid, "srcInfo.uid");
    this._src = src;
  }
  addDestChannelInfo(info) {
    const d = checkMediaInfo(info, "destInfo");
    this._dests.set(d.channelName, d);
  }
  removeDestChannelInfo(channelName) {
    checkChannel(channelName, "channelName");
    this._dests.delete(channelName);
  }
  _request() {
    return { src: this._src || { channelName: "", token: "", uid: 0 }, dests: Array.from(this._dests.values()) };
  }
}
