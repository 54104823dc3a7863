// Entry of the ES module cohost-rtc.mjs: AgoraRTC as the default export and,
// as agora-rtc-sdk-ng's ES module has them, its functions and enumerations
// as named exports (the on… callbacks as setter functions). The module also
// defines the global AgoraRTC, shared with a classic script loaded on the
// same page.
import { AgoraRTC as created } from "./sdk.js";

const root = /** @type {any} */ (globalThis);
/** @type {typeof created} */
const AgoraRTC = root.AgoraRTC && root.AgoraRTC.__cohost ? root.AgoraRTC : created;
root.AgoraRTC = AgoraRTC;
AgoraRTC.__setModuleURL(import.meta.url);

export default AgoraRTC;
export { AgoraRTC };
export const {
  VERSION,
  BUILD,
  AREAS,
  AgoraRTCError,
  AgoraRTCErrorCode,
  ChannelMediaRelayConfiguration,
  ChannelMediaRelayState,
  ChannelMediaRelayError,
  ChannelMediaRelayEvent,
  ConnectionDisconnectedReason,
  AudienceLatencyLevelType,
  createClient,
  createChannelMediaRelayConfiguration,
  createCameraVideoTrack,
  createMicrophoneAudioTrack,
  createMicrophoneAndCameraTracks,
  createCustomVideoTrack,
  createCustomAudioTrack,
  createScreenVideoTrack,
  checkSystemRequirements,
  checkAudioTrackIsActive,
  checkVideoTrackIsActive,
  isAV1Decodable,
  getDevices,
  getCameras,
  getMicrophones,
  getPlaybackDevices,
  getSupportedCodec,
  setLogLevel,
  enableLogUpload,
  disableLogUpload,
  setArea,
  setAppType,
  setParameter,
  preload,
  startLastmileProbeTest,
  requestConfigDistribute,
  processExternalMediaAEC,
  registerExtensions,
  resumeAudioContext,
  setServerURL,
  getServerURL,
} = AgoraRTC;

// Which build this is, as agora-rtc-sdk-ng's module says.
export const DEV = false;
export const ESM = true;
export const ESM_BUNDLER = false;
export const UMD = false;
export const __CLIENT_LIST__ = [];

/** @param {(info: any) => void} fn */
export function onCameraChanged(fn) {
  AgoraRTC.onCameraChanged = fn;
}
/** @param {(info: any) => void} fn */
export function onMicrophoneChanged(fn) {
  AgoraRTC.onMicrophoneChanged = fn;
}
/** @param {(info: any) => void} fn */
export function onPlaybackDeviceChanged(fn) {
  AgoraRTC.onPlaybackDeviceChanged = fn;
}
/** @param {() => void} fn */
export function onAudioAutoplayFailed(fn) {
  AgoraRTC.onAudioAutoplayFailed = fn;
}
/** @param {() => void} fn */
export function onAutoplayFailed(fn) {
  AgoraRTC.onAutoplayFailed = fn;
}
/** @param {(cur: string, prev: string | undefined) => void} fn */
export function onAudioContextStateChanged(fn) {
  AgoraRTC.onAudioContextStateChanged = fn;
}
/** @param {(ev: any) => void} fn */
export function onSecurityPolicyViolation(fn) {
  AgoraRTC.onSecurityPolicyViolation = fn;
}
