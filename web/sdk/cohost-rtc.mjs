// ES module form of the cohost RTC Web SDK: the same code as cohost-rtc.js
// (which this imports), exported as AgoraRTC's default export.
//
//   import AgoraRTC from "https://your-cohost-server/sdk/cohost-rtc.mjs";
import "./cohost-rtc.js";

const AgoraRTC = globalThis.AgoraRTC;
AgoraRTC.__setModuleURL(import.meta.url);

export default AgoraRTC;
export const {
  VERSION,
  AgoraRTCError,
  AgoraRTCErrorCode,
  ChannelMediaRelayConfiguration,
  ChannelMediaRelayState,
  ChannelMediaRelayError,
  ChannelMediaRelayEvent,
  ConnectionDisconnectedReason,
  AudienceLatencyLevelType,
} = AgoraRTC;
