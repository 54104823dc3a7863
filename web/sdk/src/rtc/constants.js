// The SDK's version and the protocol's fixed values.
export const VERSION = "0.1.0";
export const PROTOCOL_VERSION = 1;
export const SIGNAL_PATH = "/v1/signal";
export const REQUEST_TIMEOUT_MS = 15000;
export const ICE_GATHER_TIMEOUT_MS = 5000;
export const STATS_INTERVAL_MS = 1000;
