// AgoraRTM: the SDK's entry object.
import { RtmClient } from "./client.js";
import { ConnectionChangeReason, ConnectionState, LocalInvitationFailureReason, LocalInvitationState, MessageType, PeerOnlineState, PeerSubscriptionOption, RemoteInvitationFailureReason, RemoteInvitationState, RtmError, RtmErrorCode, fail } from "./codes.js";
import { setLogFilter } from "./log.js";
import { locator } from "./connection.js";
import { checkConfig } from "./config.js";
import { checkArea } from "../shared/area.js";

// VERSION is the agora-rtm-sdk API level implemented, which libraries
// compare with Agora's: 1.4.5, the last 1.x release before the metadata
// calls of 1.5 (which reject with NOT_SUPPORTED here). cohost's own
// version is BUILD.
export const VERSION = "1.4.5";
export const COHOST_VERSION = "0.1.0";

// The areas setArea knows (agora-rtm-sdk's and agora-rtc-sdk-ng's names).
const AREAS = Object.freeze(Object.fromEntries(["GLOBAL", "CHINA", "ASIA", "NORTH_AMERICA", "EUROPE", "JAPAN", "INDIA", "KOREA", "HKMC", "US", "OCEANIA", "SOUTH_AMERICA", "AFRICA", "OVERSEA"].map((n) => [n, n])));

// AgoraRTM: the SDK's entry object, what agora-rtm-sdk exports as its
// default export and the classic script defines as the global AgoraRTM.

export const AgoraRTM = {
  __cohost: true,
  VERSION,
  BUILD: `cohost-${COHOST_VERSION}`,
  ConnectionState,
  ConnectionChangeReason,
  PeerOnlineState,
  PeerSubscriptionOption,
  MessageType,
  LocalInvitationState,
  RemoteInvitationState,
  LocalInvitationFailureReason,
  RemoteInvitationFailureReason,
  RtmErrorCode,
  RtmError,
  // END_CALL_PREFIX: agora-rtm-sdk's prefix of the peer message that ends a
  // call for its legacy SDKs.
  END_CALL_PREFIX: "AgoraRTMLegacyEndcallCompatibleMessagePrefix",
  // setArea: cohost connects to the servers setServerURL names, wherever
  // they are; GLOBAL is accepted, a region fails with NOT_SUPPORTED (see
  // shared/area.js).
  setArea(config) {
    checkArea(config, AREAS, (code, msg) => (code === "NOT_SUPPORTED" ? fail(1, msg, "NOT_SUPPORTED") : fail(2, msg, "INVALID_ARGUMENT")));
  },
  LOG_FILTER_OFF: { level: 0 },
  LOG_FILTER_ERROR: { level: 1 },
  LOG_FILTER_WARNING: { level: 2 },
  LOG_FILTER_INFO: { level: 3 },
  LOG_FILTER_DEBUG: { level: 4 },
  // createInstance is a plain function, so that `new AgoraRTM.createInstance(appId)` works too.
  createInstance: function (appId, config) {
    if (typeof appId !== "string" || !appId) throw fail(101, "appId must be a non-empty string", "NOT_INITIALIZED");
    checkConfig(config);
    if (config && config.logFilter && typeof config.logFilter.level === "number") setLogFilter(config.logFilter.level);
    return new RtmClient(appId, config);
  },
  // setServerURL points the SDK at a cohost server other than the one it
  // was loaded from, e.g. AgoraRTM.setServerURL("https://rtc.example.com").
  setServerURL(url) {
    locator.setServerURL(url);
  },
  getServerURL: () => locator.base(),
  __setModuleURL(url) {
    locator.setModuleURL(url);
  },
};
