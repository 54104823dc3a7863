import { AgoraRTCClient } from "./client.js";
import { VERSION } from "./constants.js";
import { EventEmitter } from "./emitter.js";
import { AgoraRTCError, AgoraRTCErrorCode } from "./errors.js";
import { createCameraVideoTrack, createCustomAudioTrack, createCustomVideoTrack, createMicrophoneAndCameraTracks, createMicrophoneAudioTrack, createScreenVideoTrack, getDevices } from "./factories.js";
import { enumOf } from "./helpers.js";
import { setLogLevel } from "./log.js";
import { locator } from "./signal.js";
import { onAutoplayFailed } from "./autoplay.js";
import { ChannelMediaRelayConfiguration, RELAY_ERRORS, RELAY_EVENTS, RELAY_STATES } from "./relay-config.js";

// AgoraRTC: the SDK's entry object, what agora-rtc-sdk-ng exports as its
// default export and the classic script defines as the global AgoraRTC.

const sdkEvents = new EventEmitter();
if (typeof navigator !== "undefined" && navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
  let known = null;
  const refresh = async () => {
    const list = await navigator.mediaDevices.enumerateDevices();
    const ids = new Map(list.map((d) => [d.kind + d.deviceId, d]));
    if (known) {
      for (const [k, d] of ids) if (!known.has(k)) report(d, "ACTIVE");
      for (const [k, d] of known) if (!ids.has(k)) report(d, "INACTIVE");
    }
    known = ids;
  };
  const report = (device, state) => {
    const info = { device, state, initAt: Date.now(), updateAt: Date.now() };
    const ev = device.kind === "videoinput" ? "camera-changed" : device.kind === "audioinput" ? "microphone-changed" : "playback-device-changed";
    sdkEvents.emit(ev, info);
    const cb = AgoraRTC[ev === "camera-changed" ? "onCameraChanged" : ev === "microphone-changed" ? "onMicrophoneChanged" : "onPlaybackDeviceChanged"];
    if (typeof cb === "function") cb(info);
  };
  navigator.mediaDevices.addEventListener("devicechange", () => refresh().catch(() => {}));
}

export const AgoraRTC = {
  __cohost: true,
  VERSION,
  BUILD: `cohost-${VERSION}`,
  AgoraRTCError,
  AgoraRTCErrorCode,
  ChannelMediaRelayConfiguration,
  ChannelMediaRelayState: enumOf(RELAY_STATES),
  ChannelMediaRelayError: enumOf(RELAY_ERRORS),
  ChannelMediaRelayEvent: enumOf(RELAY_EVENTS),
  ConnectionDisconnectedReason: enumOf(["LEAVE", "NETWORK_ERROR", "SERVER_ERROR", "UID_BANNED", "IP_BANNED", "CHANNEL_BANNED", "TOKEN_EXPIRE"]),
  AudienceLatencyLevelType: Object.freeze({ AUDIENCE_LEVEL_LOW_LATENCY: 1, AUDIENCE_LEVEL_ULTRA_LOW_LATENCY: 2 }),
  createClient: (config) => new AgoraRTCClient(config),
  createChannelMediaRelayConfiguration: () => new ChannelMediaRelayConfiguration(),
  createCameraVideoTrack,
  createMicrophoneAudioTrack,
  createMicrophoneAndCameraTracks,
  createCustomVideoTrack,
  createCustomAudioTrack,
  createScreenVideoTrack,
  getDevices,
  getCameras: async () => (await getDevices()).filter((d) => d.kind === "videoinput"),
  getMicrophones: async () => (await getDevices()).filter((d) => d.kind === "audioinput"),
  getPlaybackDevices: async () => (await getDevices()).filter((d) => d.kind === "audiooutput"),
  checkSystemRequirements: () => typeof RTCPeerConnection !== "undefined" && typeof WebSocket !== "undefined" && !!(typeof navigator !== "undefined" && navigator.mediaDevices),
  getSupportedCodec: async () => {
    const names = (kind) => {
      const caps = typeof RTCRtpSender !== "undefined" && RTCRtpSender.getCapabilities && RTCRtpSender.getCapabilities(kind);
      const all = caps ? caps.codecs.map((c) => c.mimeType.split("/")[1].toUpperCase()) : [];
      return ["VP8", "VP9", "H264", "OPUS"].filter((n) => all.includes(n));
    };
    return { video: names("video"), audio: names("audio") };
  },
  setLogLevel,
  enableLogUpload: () => {},
  disableLogUpload: () => {},
  setArea: () => {},
  setParameter: (key, value) => {
    if (key === "SERVER_URL") AgoraRTC.setServerURL(value);
  },
  // setServerURL points the SDK at a cohost server other than the one it
  // was loaded from, e.g. AgoraRTC.setServerURL("https://rtc.example.com").
  setServerURL: (url) => locator.setServerURL(url),
  getServerURL: () => locator.base(),
  __setModuleURL: (url) => locator.setModuleURL(url),
  on: (event, listener) => sdkEvents.on(event, listener),
  off: (event, listener) => sdkEvents.off(event, listener),
  onCameraChanged: undefined,
  onMicrophoneChanged: undefined,
  onPlaybackDeviceChanged: undefined,
  onAudioAutoplayFailed: undefined,
};

onAutoplayFailed((kind) => {
  if (kind === "audio" && AgoraRTC.onAudioAutoplayFailed) AgoraRTC.onAudioAutoplayFailed();
});
