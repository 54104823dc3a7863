import { AgoraRTCClient } from "./client.js";
import { COHOST_VERSION, VERSION } from "./constants.js";
import { existingAudioContext } from "./audio-context.js";
import { checkAudioTrackIsActive, checkVideoTrackIsActive, isAV1Decodable } from "./track-checks.js";
import { log } from "./log.js";
import { fail } from "./errors.js";
import { EventEmitter } from "./emitter.js";
import { AgoraRTCError, AgoraRTCErrorCode } from "./errors.js";
import { createCameraVideoTrack, createCustomAudioTrack, createCustomVideoTrack, createMicrophoneAndCameraTracks, createMicrophoneAudioTrack, createScreenVideoTrack, getDevices } from "./factories.js";
import { enumOf } from "./helpers.js";
import { setLogLevel } from "./log.js";
import { locator } from "./signal.js";
import { checkArea } from "../shared/area.js";
import { preload } from "./preload.js";
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

// AREAS: Agora's region names for setArea. cohost connects to the servers
// setServerURL names, wherever they are: setArea accepts GLOBAL (no
// restriction, what cohost does) and fails with NOT_SUPPORTED for a
// region, rather than pretending to keep the media in it.
const AREAS = enumOf(["CHINA", "ASIA", "NORTH_AMERICA", "EUROPE", "JAPAN", "INDIA", "KOREA", "HKMC", "US", "OCEANIA", "SOUTH_AMERICA", "AFRICA", "OVERSEA", "GLOBAL", "EXTENSIONS"]);

// AgoraRTC's factories are plain functions, so that `new
// AgoraRTC.createClient(config)` works as with Agora's SDK.
function createClient(config) {
  return new AgoraRTCClient(config);
}
function createChannelMediaRelayConfiguration() {
  return new ChannelMediaRelayConfiguration();
}

export const AgoraRTC = {
  __cohost: true,
  VERSION,
  BUILD: `cohost-${COHOST_VERSION}`,
  AREAS,
  AgoraRTCError,
  AgoraRTCErrorCode,
  ChannelMediaRelayConfiguration,
  ChannelMediaRelayState: enumOf(RELAY_STATES),
  ChannelMediaRelayError: enumOf(RELAY_ERRORS),
  ChannelMediaRelayEvent: enumOf(RELAY_EVENTS),
  ConnectionDisconnectedReason: enumOf(["LEAVE", "NETWORK_ERROR", "SERVER_ERROR", "UID_BANNED", "IP_BANNED", "CHANNEL_BANNED", "TOKEN_EXPIRE"]),
  AudienceLatencyLevelType: Object.freeze({ AUDIENCE_LEVEL_LOW_LATENCY: 1, AUDIENCE_LEVEL_ULTRA_LOW_LATENCY: 2 }),
  createClient,
  createChannelMediaRelayConfiguration,
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
  // Log upload sends the SDK's logs to Agora's servers; cohost has none to
  // send them to (the logs are in the console, filtered by setLogLevel).
  enableLogUpload: () => {
    throw fail("NOT_SUPPORTED", "cohost does not upload logs: they are in the browser's console");
  },
  disableLogUpload: () => {},
  setArea: (area) => checkArea(area, AREAS, (code, msg) => fail(code, msg, area)),
  // setAppType is how Agora's wrappers (agora-rtc-react …) name themselves.
  setAppType: (type) => {
    if (!(Number.isInteger(type) && type >= 0)) throw fail("INVALID_PARAMS", "invalid app type", type);
  },
  checkAudioTrackIsActive,
  checkVideoTrackIsActive,
  isAV1Decodable,
  resumeAudioContext: () => {
    const ctx = existingAudioContext();
    if (ctx && ctx.state !== "running") ctx.resume().catch((e) => log.warn("resumeAudioContext", e));
  },
  // preload warms up the connection to the server a join will use (DNS,
  // TCP, TLS): it opens the signalling WebSocket and closes it, and
  // rejects with CAN_NOT_GET_GATEWAY_SERVER when no server answers.
  preload: (appid, channel, token, uid) => preload(appid, channel, uid),
  startLastmileProbeTest: async () => {
    throw fail("NOT_SUPPORTED", "cohost has no last-mile probe test");
  },
  requestConfigDistribute: async () => {
    throw fail("NOT_SUPPORTED", "cohost has no configuration distribution service");
  },
  processExternalMediaAEC: () => {
    throw fail("NOT_SUPPORTED", "cohost has no echo cancellation of external media");
  },
  // registerExtensions: registering none succeeds; cohost runs no Agora
  // extensions.
  registerExtensions: (extensions) => {
    if (extensions && extensions.length) throw fail("NOT_SUPPORTED", "cohost runs no Agora extensions");
  },
  // setParameter: SERVER_URL is cohost's; Agora's private parameters tune
  // Agora's SDK and have no meaning here.
  setParameter: (key, value) => {
    if (key !== "SERVER_URL") throw fail("NOT_SUPPORTED", `cohost has no parameter ${String(key)}`);
    AgoraRTC.setServerURL(value);
  },
  // setServerURL points the SDK at a cohost server other than the one it
  // was loaded from, e.g. AgoraRTC.setServerURL("https://rtc.example.com").
  setServerURL: (url) => locator.setServerURL(url),
  getServerURL: () => locator.base(),
  __setModuleURL: (url) => locator.setModuleURL(url),
  on: (event, listener) => sdkEvents.on(event, listener),
  once: (event, listener) => sdkEvents.once(event, listener),
  off: (event, listener) => sdkEvents.off(event, listener),
  removeAllListeners: (event) => sdkEvents.removeAllListeners(event),
  getListeners: (event) => sdkEvents.getListeners(event),
  // use registers one of Agora's service packages (relay, live streaming …)
  // with Agora's modular SDK; cohost's are built in, Agora's do not run here.
  use: () => {
    throw fail("NOT_SUPPORTED", "cohost's services are built in: Agora's service packages do not run on it");
  },
  createBufferSourceAudioTrack: async () => {
    throw fail("NOT_SUPPORTED", "cohost does not support buffer source audio tracks");
  },
  getElectronScreenSources: async () => {
    throw fail("NOT_SUPPORTED", "cohost does not support Electron screen sources");
  },
  onCameraChanged: undefined,
  onMicrophoneChanged: undefined,
  onPlaybackDeviceChanged: undefined,
  onAudioAutoplayFailed: undefined,
  onAutoplayFailed: undefined,
  onAudioContextStateChanged: undefined,
  onSecurityPolicyViolation: undefined,
};

// A blocked play() calls onAudioAutoplayFailed (audio) each time and, as
// Agora's SDK, onAutoplayFailed (and the "autoplay-failed" event) once until
// the user interacts with the page.
let autoplayReported = false;
if (typeof document !== "undefined" && document.addEventListener) {
  for (const ev of ["click", "touchstart", "keydown"]) {
    document.addEventListener(ev, () => {
      autoplayReported = false;
    }, { capture: true, passive: true });
  }
}
onAutoplayFailed((kind) => {
  if (kind === "audio" && AgoraRTC.onAudioAutoplayFailed) AgoraRTC.onAudioAutoplayFailed();
  if (autoplayReported) return;
  autoplayReported = true;
  if (AgoraRTC.onAutoplayFailed) AgoraRTC.onAutoplayFailed();
  sdkEvents.emit("autoplay-failed");
});
