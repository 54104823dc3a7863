// The SDK's version and the protocol's fixed values.
// VERSION is the agora-rtc-sdk-ng API level this SDK implements: libraries
// compare it with Agora's versions. cohost's own version is COHOST_VERSION
// (AgoraRTC.BUILD is "cohost-" and it).
export const VERSION = "4.20.0";
export const COHOST_VERSION = "0.1.0";
export const PROTOCOL_VERSION = 1;
export const SIGNAL_PATH = "/v1/signal";
export const REQUEST_TIMEOUT_MS = 15000;
export const ICE_GATHER_TIMEOUT_MS = 5000;
export const STATS_INTERVAL_MS = 1000;
// RECONNECT_TIMEOUT_MS: how long a client tries to get back into its
// channel after losing the connection (Agora's 20 minutes).
export const RECONNECT_TIMEOUT_MS = 20 * 60 * 1000;
