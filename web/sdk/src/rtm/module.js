// Entry of the ES module cohost-rtm.mjs: AgoraRTM as the default export and
// its members as named exports. The module also defines the global
// AgoraRTM, shared with a classic script loaded on the same page.
import "./regenerator.js";
import { AgoraRTM as created } from "./sdk.js";

const root = /** @type {any} */ (globalThis);
/** @type {typeof created} */
const AgoraRTM = root.AgoraRTM && root.AgoraRTM.__cohost ? root.AgoraRTM : created;
root.AgoraRTM = AgoraRTM;
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
