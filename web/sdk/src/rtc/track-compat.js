// The rest of Agora's local track API: what cohost implements
// (replaceTrack, clone, getRTCRtpTransceiver, setPlaybackDevice …), and
// Agora's extension and processing features, which fail with NOT_SUPPORTED.
import { fail } from "./errors.js";

const notSupported = (what) => fail("NOT_SUPPORTED", `cohost does not support ${what}`);

export const localTrackCompat = {
  // replaceTrack swaps the MediaStreamTrack, in every client the track is
  // published in; stopOldTrack stops the old one.
  async replaceTrack(track, stopOldTrack) {
    if (!track || track.kind !== this.trackMediaType) throw fail("INVALID_PARAMS", `replaceTrack needs a ${this.trackMediaType} MediaStreamTrack`);
    const old = this._mst;
    await this._replace(track);
    if (stopOldTrack && old && old !== track) old.stop();
  },
  // getRTCRtpTransceiver: the transceiver sending this track (in the first
  // client it is published in), or undefined.
  getRTCRtpTransceiver() {
    for (const c of this._clients) {
      const tr = c._transceiverOf(this);
      if (tr) return tr;
    }
    return undefined;
  },
  pipe() {
    throw notSupported("Agora extensions (pipe)");
  },
  unpipe() {
    throw notSupported("Agora extensions (unpipe)");
  },
  get processorDestination() {
    throw notSupported("Agora extensions (processorDestination)");
  },
  useExtension() {
    throw notSupported("Agora extensions");
  },
  removeExtension() {
    throw notSupported("Agora extensions");
  },
};

export const videoTrackCompat = {
  // clone: a new local video track of a clone of this one's MediaStreamTrack.
  clone(config, cloneTrack) {
    const mst = cloneTrack === false ? this._mst : this._mst && this._mst.clone();
    const Cls = Object.getPrototypeOf(this).constructor;
    return new Cls(mst, { encoder: (config && config.encoderConfig) || this._encoder, optimizationMode: this._optimizationMode });
  },
  // getCurrentFrameImage: the current frame as an encoded image.
  async getCurrentFrameImage(imageType, quality) {
    const data = this.getCurrentFrameData();
    const canvas = document.createElement("canvas");
    canvas.width = data.width;
    canvas.height = data.height;
    canvas.getContext("2d").putImageData(data, 0, 0);
    const blob = await new Promise((r) => canvas.toBlob(r, imageType || "image/png", quality));
    return { buffer: new Uint8Array(await blob.arrayBuffer()), width: data.width, height: data.height };
  },
  // getVideoElementVisibleStatus: whether the player's video is on screen.
  getVideoElementVisibleStatus() {
    const v = this._player && this._player.media;
    if (!v) return undefined;
    const r = v.getBoundingClientRect();
    const visible = r.width > 0 && r.height > 0 && getComputedStyle(v).visibility !== "hidden";
    return { visible, reason: visible ? undefined : "SIZE_ZERO" };
  },
  async setBeautyEffect() {
    throw notSupported("beauty effects");
  },
  sendSeiData() {
    throw notSupported("SEI data");
  },
};

export const audioTrackCompat = {
  // setPlaybackDevice plays the track's local playback on another output.
  async setPlaybackDevice(deviceId) {
    this._sinkId = deviceId;
    const m = this._player && this._player.media;
    if (m && m.setSinkId) await m.setSinkId(deviceId);
  },
  setAudioFrameCallback() {
    throw notSupported("audio frame callbacks");
  },
  addReferenceTrack() {
    throw notSupported("reference tracks (AI noise suppression)");
  },
  removeReferenceTrack() {
    throw notSupported("reference tracks (AI noise suppression)");
  },
};

/** install adds the members of each source to cls. */
export function install(cls, ...sources) {
  for (const s of sources) Object.defineProperties(cls.prototype, Object.getOwnPropertyDescriptors(s));
}
