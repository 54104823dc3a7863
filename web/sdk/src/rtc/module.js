// Entry of the ES module cohost-rtc.mjs: AgoraRTC as the default export and
// its members as named exports, as agora-rtc-sdk-ng's module has them. The
// module also defines the global AgoraRTC, shared with a classic script
// loaded on the same page.
import { AgoraRTC as created } from "./sdk.js";

const root = /** @type {any} */ (globalThis);
/** @type {typeof created} */
const AgoraRTC = root.AgoraRTC && root.AgoraRTC.__cohost ? root.AgoraRTC : created;
root.AgoraRTC = AgoraRTC;
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
