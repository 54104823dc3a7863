// Tracks: the base track and the local ones (camera, microphone, custom,
// screen), with their players and device switching.
import { EventEmitter } from "./emitter.js";
import { fail } from "./errors.js";
import { newId } from "./helpers.js";
import { log } from "./log.js";
import { getUserMedia, videoConstraints, videoEncoderConfig } from "./media.js";
import { Player } from "./player.js";
import { sharedAudioContext } from "./audio-context.js";
import { audioTrackCompat, install, localTrackCompat, videoTrackCompat } from "./track-compat.js";

export class Track extends EventEmitter {
  constructor(kind, mst, trackId) {
    super();
    this.trackMediaType = kind;
    this._mst = mst || null;
    this._id = trackId || newId(kind === "video" ? "track-video" : "track-audio");
    this._player = null;
    this._volume = 100;
  }
  getTrackId() {
    return this._id;
  }
  getMediaStreamTrack() {
    return this._mst;
  }
  get isPlaying() {
    return !!this._player;
  }
  play(element, config) {
    this.stop();
    this._player = new Player(this, this.trackMediaType === "video" ? element : null, config || {});
    this._player.setVolume(this._volume);
  }
  stop() {
    if (this._player) this._player.destroy();
    this._player = null;
  }
  _refreshPlayer() {
    if (this._player) this._player.update();
  }
}

export class LocalTrack extends Track {
  // getTrackLabel is the device's name (the MediaStreamTrack's label), what
  // device pickers show.
  getTrackLabel() {
    return this._mst ? this._mst.label : "";
  }
  constructor(kind, mst, opts) {
    super(kind, mst);
    this._enabled = true;
    this._muted = false;
    this._closed = false;
    this._clients = new Set(); // clients this track is published in
    this._device = !!(opts && opts.device); // captured by this SDK: setEnabled releases the device
    this._constraints = opts && opts.constraints;
    if (mst) mst.addEventListener("ended", () => this.emit("track-ended"));
  }
  get enabled() {
    return this._enabled;
  }
  get muted() {
    return this._muted;
  }
  getMediaStreamTrackSettings() {
    return this._mst ? this._mst.getSettings() : {};
  }
  play(element, config) {
    if (this.trackMediaType === "video") {
      const cfg = Object.assign({ mirror: this instanceof CameraVideoTrack }, config || {});
      super.play(element, cfg);
    } else {
      super.play(element, config);
    }
  }
  _sending() {
    return this._enabled && !this._muted;
  }
  async setMuted(muted) {
    muted = !!muted;
    if (muted === this._muted) return;
    this._muted = muted;
    if (this._mst) this._mst.enabled = this._sending();
    await this._announce();
    this.emit(muted ? "track-muted" : "track-unmuted");
  }
  async setEnabled(enabled) {
    enabled = !!enabled;
    if (enabled === this._enabled) return;
    if (this._device) {
      if (!enabled) {
        this._enabled = false;
        if (this._mst) this._mst.stop();
        await this._replace(null);
      } else {
        const stream = await getUserMedia(this.trackMediaType === "video" ? { video: this._constraints } : { audio: this._constraints });
        this._enabled = true;
        await this._replace(stream.getTracks()[0]);
      }
    } else {
      this._enabled = enabled;
      if (this._mst) this._mst.enabled = this._sending();
    }
    await this._announce();
  }
  // _replace swaps the MediaStreamTrack everywhere it is used.
  async _replace(mst) {
    if (mst) {
      mst.enabled = this._sending();
      mst.addEventListener("ended", () => this.emit("track-ended"));
      this._mst = mst;
    }
    for (const c of this._clients) await c._replaceTrack(this, mst);
    this._refreshPlayer();
  }
  async _announce() {
    for (const c of this._clients) {
      try {
        await c._announceMute(this);
      } catch (e) {
        log.warn("mute request failed", e);
      }
    }
  }
  close() {
    if (this._closed) return;
    this._closed = true;
    this.stop();
    for (const c of Array.from(this._clients)) c.unpublish(this).catch((e) => log.warn("unpublish on close failed", e));
    if (this._mst) this._mst.stop();
    this.removeAllListeners();
  }
  getStats() {
    for (const c of this._clients) {
      const s = this.trackMediaType === "video" ? c.getLocalVideoStats() : c.getLocalAudioStats();
      if (s) return s;
    }
    return {};
  }
}

export class LocalVideoTrack extends LocalTrack {
  constructor(mst, opts) {
    super("video", mst, opts);
    this._encoder = (opts && opts.encoder) || null;
    this._optimizationMode = (opts && opts.optimizationMode) || "";
  }
  async setOptimizationMode(mode) {
    this._optimizationMode = mode;
    if (this._mst && "contentHint" in this._mst) this._mst.contentHint = mode === "detail" ? "detail" : mode === "motion" ? "motion" : "";
  }
  getCurrentFrameData() {
    const p = /** @type {HTMLVideoElement} */ (this._player && this._player.media);
    if (!p || !p.videoWidth) return new ImageData(2, 2);
    const canvas = document.createElement("canvas");
    canvas.width = p.videoWidth;
    canvas.height = p.videoHeight;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(p, 0, 0);
    return ctx.getImageData(0, 0, canvas.width, canvas.height);
  }
}

export class CameraVideoTrack extends LocalVideoTrack {
  constructor(mst, opts) {
    super(mst, Object.assign({ device: true }, opts));
  }
  async setDevice(deviceId) {
    const id = typeof deviceId === "string" ? deviceId : deviceId && deviceId.deviceId;
    this._constraints = Object.assign({}, this._constraints, { deviceId: { exact: id } });
    delete this._constraints.facingMode;
    if (!this._enabled) return;
    const stream = await getUserMedia({ video: this._constraints });
    const old = this._mst;
    await this._replace(stream.getVideoTracks()[0]);
    if (old) old.stop();
  }
  async setEncoderConfiguration(config) {
    const enc = videoEncoderConfig(config);
    this._encoder = enc;
    const c = videoConstraints(enc);
    this._constraints = Object.assign({}, this._constraints, c);
    if (this._mst) {
      try {
        await this._mst.applyConstraints(Object.assign({}, c));
      } catch (e) {
        throw fail("CONSTRAINT_NOT_SATISFIED", String(e && e.message || e));
      }
    }
    for (const cl of this._clients) await cl._applyEncoding(this);
  }
}

export class LocalAudioTrack extends LocalTrack {
  constructor(mst, opts) {
    super("audio", mst, opts);
    this._analyser = null;
  }
  // setVolume sets the local playback volume (0–1000, 100 = original).
  setVolume(volume) {
    this._volume = volume;
    if (this._player) this._player.setVolume(volume);
  }
  getVolumeLevel() {
    return volumeLevel(this);
  }
  play() {
    super.play(null);
    if (this._player) this._player.setVolume(this._volume);
  }
}

export class MicrophoneAudioTrack extends LocalAudioTrack {
  constructor(mst, opts) {
    super(mst, Object.assign({ device: true }, opts));
  }
  async setDevice(deviceId) {
    const id = typeof deviceId === "string" ? deviceId : deviceId && deviceId.deviceId;
    this._constraints = Object.assign({}, typeof this._constraints === "object" ? this._constraints : {}, { deviceId: { exact: id } });
    if (!this._enabled) return;
    const stream = await getUserMedia({ audio: this._constraints });
    const old = this._mst;
    await this._replace(stream.getAudioTracks()[0]);
    if (old) old.stop();
  }
}

export function volumeLevel(track) {
  const mst = track._mst;
  if (!mst || typeof AudioContext === "undefined") return 0;
  if (!track._analyser || track._analyser.mst !== mst) {
    const ctx = sharedAudioContext();
    const src = ctx.createMediaStreamSource(new MediaStream([mst]));
    const an = ctx.createAnalyser();
    an.fftSize = 512;
    src.connect(an);
    track._analyser = { mst, an, buf: new Float32Array(an.fftSize) };
  }
  const { an, buf } = track._analyser;
  an.getFloatTimeDomainData(buf);
  let sum = 0;
  for (const v of buf) sum += v * v;
  return Math.min(1, Math.sqrt(sum / buf.length) * 4);
}

install(LocalTrack, localTrackCompat);
install(LocalVideoTrack, videoTrackCompat);
install(LocalAudioTrack, audioTrackCompat);
