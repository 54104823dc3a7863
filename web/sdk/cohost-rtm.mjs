// ES module form of the cohost RTM Web SDK: the same code as cohost-rtm.js
// (which this imports), exported as AgoraRTM's default export.
//
//   import AgoraRTM from "https://your-cohost-server/sdk/cohost-rtm.mjs";
import "./cohost-rtm.js";

const AgoraRTM = globalThis.AgoraRTM;
AgoraRTM.__setModuleURL(import.meta.url);

export default AgoraRTM;
export const {
  VERSION,
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
} = AgoraRTM;
