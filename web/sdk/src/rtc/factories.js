// AgoraRTC's track factories: camera, microphone, custom and screen tracks.
import { fail } from "./errors.js";
import { CameraVideoTrack, LocalAudioTrack, LocalVideoTrack, MicrophoneAudioTrack } from "./local-tracks.js";
import { audioConstraints, getUserMedia, videoConstraints, videoEncoderConfig } from "./media.js";

export async function createCameraVideoTrack(config) {
  config = config || {};
  const enc = videoEncoderConfig(config.encoderConfig);
  const constraints = videoConstraints(enc, config.cameraId, config.facingMode);
  const stream = await getUserMedia({ video: constraints });
  const t = new CameraVideoTrack(stream.getVideoTracks()[0], { constraints, encoder: enc, optimizationMode: config.optimizationMode });
  if (config.optimizationMode) await t.setOptimizationMode(config.optimizationMode);
  return t;
}

export async function createMicrophoneAudioTrack(config) {
  config = config || {};
  const constraints = audioConstraints(config);
  const stream = await getUserMedia({ audio: constraints });
  return new MicrophoneAudioTrack(stream.getAudioTracks()[0], { constraints });
}

export async function createMicrophoneAndCameraTracks(audioConfig, videoConfig) {
  audioConfig = audioConfig || {};
  videoConfig = videoConfig || {};
  const enc = videoEncoderConfig(videoConfig.encoderConfig);
  const vc = videoConstraints(enc, videoConfig.cameraId, videoConfig.facingMode);
  const ac = audioConstraints(audioConfig);
  const stream = await getUserMedia({ audio: ac, video: vc });
  return [new MicrophoneAudioTrack(stream.getAudioTracks()[0], { constraints: ac }),
    new CameraVideoTrack(stream.getVideoTracks()[0], { constraints: vc, encoder: enc })];
}

export function customTrack(config, kind) {
  const mst = config && config.mediaStreamTrack;
  if (typeof MediaStreamTrack === "undefined" || !(mst instanceof MediaStreamTrack) || mst.kind !== kind) {
    throw fail("INVALID_PARAMS", `mediaStreamTrack must be a ${kind} MediaStreamTrack`);
  }
  return mst;
}

export function createCustomVideoTrack(config) {
  const mst = customTrack(config, "video");
  const enc = config.bitrateMax || config.bitrateMin ? { bitrateMax: config.bitrateMax, bitrateMin: config.bitrateMin } : null;
  return new LocalVideoTrack(mst, { encoder: enc, optimizationMode: config.optimizationMode });
}

export function createCustomAudioTrack(config) {
  return new LocalAudioTrack(customTrack(config, "audio"));
}

export async function createScreenVideoTrack(config, withAudio) {
  config = config || {};
  if (typeof navigator === "undefined" || !navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) throw fail("NOT_SUPPORTED", "screen sharing is not supported by this browser");
  const enc = videoEncoderConfig(config.encoderConfig || "1080p_1");
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: videoConstraints(enc), audio: withAudio === "enable" || withAudio === "auto" });
  } catch (e) {
    throw fail(e && e.name === "NotAllowedError" ? "PERMISSION_DENIED" : "UNEXPECTED_ERROR", String((e && e.message) || e));
  }
  const v = new LocalVideoTrack(stream.getVideoTracks()[0], { encoder: enc, optimizationMode: config.optimizationMode || "detail" });
  const a = stream.getAudioTracks()[0];
  if (withAudio === "enable" && !a) throw fail("NOT_SUPPORTED", "the shared screen has no audio");
  return a ? [v, new LocalAudioTrack(a)] : v;
}

export async function getDevices() {
  if (typeof navigator === "undefined" || !navigator.mediaDevices) throw fail("NOT_SUPPORTED", "no media devices");
  return navigator.mediaDevices.enumerateDevices();
}
