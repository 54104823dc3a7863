// AgoraRTM: the SDK's entry object.
import { RtmClient } from "./client.js";
import { ConnectionChangeReason, ConnectionState, LocalInvitationFailureReason, LocalInvitationState, MessageType, PeerOnlineState, PeerSubscriptionOption, RemoteInvitationFailureReason, RemoteInvitationState, RtmError, RtmErrorCode, fail } from "./codes.js";
import { setLogFilter } from "./log.js";
import { locator } from "./connection.js";

export const VERSION = "0.1.0";

// AgoraRTM: the SDK's entry object, what agora-rtm-sdk exports as its
// default export and the classic script defines as the global AgoraRTM.

export const AgoraRTM = {
  __cohost: true,
  VERSION,
  BUILD: `cohost-${VERSION}`,
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
  // setArea: cohost has one server; accepted and changes nothing.
  setArea() {},
  LOG_FILTER_OFF: { level: 0 },
  LOG_FILTER_ERROR: { level: 1 },
  LOG_FILTER_WARNING: { level: 2 },
  LOG_FILTER_INFO: { level: 3 },
  LOG_FILTER_DEBUG: { level: 4 },
  // createInstance is a plain function, so that `new AgoraRTM.createInstance(appId)` works too.
  createInstance: function (appId, config) {
    if (typeof appId !== "string" || !appId) throw fail(101, "appId must be a non-empty string", "NOT_INITIALIZED");
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
