// The rest of IAgoraRTCClient: calls cohost implements from its others
// (massSubscribe, getNetworkQuality …), and Agora cloud features cohost
// does not have, which fail with NOT_SUPPORTED as Agora's SDK reports an
// unsupported call: async methods reject, the others throw. A call asking
// for the state cohost is always in (dual stream off, no encryption)
// succeeds; none is accepted and ignored. The cloud proxy is in
// client-proxy.js.
import { clientProxy, installClientProxy } from "./client-proxy.js";
import { fail } from "./errors.js";

const notSupported = (what) => fail("NOT_SUPPORTED", `cohost does not support ${what}`);

// Agora's RemoteStreamType and RemoteStreamFallbackType values cohost has.
const HIGH_STREAM = 0;
const LOW_STREAM = 1;
const FALLBACK_DISABLE = 0;

function checkRemoteUid(uid) {
  const ok = (Number.isInteger(uid) && uid >= 0 && uid <= 0xffffffff) || (typeof uid === "string" && uid !== "");
  if (!ok) throw fail("INVALID_PARAMS", "invalid uid", uid);
}

function checkStreamType(streamType) {
  if (streamType === HIGH_STREAM) return;
  if (streamType === LOW_STREAM) throw notSupported("dual stream (one stream is forwarded per publisher)");
  throw fail("INVALID_PARAMS", "invalid remote stream type", streamType);
}

export const clientCompat = {
  // massSubscribe subscribes to each {user, mediaType} and resolves with
  // one result each: {user, mediaType, track} or {user, mediaType, error}.
  async massSubscribe(subscribeList) {
    return Promise.all((subscribeList || []).map(async ({ user, mediaType }) => {
      try {
        return { user, mediaType, track: await this.subscribe(user, mediaType) };
      } catch (error) {
        return { user, mediaType, error };
      }
    }));
  },
  async massUnsubscribe(unsubscribeList) {
    for (const { user, mediaType } of unsubscribeList || []) await this.unsubscribe(user, mediaType);
  },
  // getNetworkQuality: 0 is Agora's "unknown" (cohost does not rate links).
  getNetworkQuality() {
    return { uplinkNetworkQuality: 0, downlinkNetworkQuality: 0 };
  },
  // getNtpWallTimeInMs: 0 as Agora's when not synchronised with NTP.
  getNtpWallTimeInMs() {
    return 0;
  },
  get localDataChannels() {
    return [];
  },
  async presubscribe() {
    throw notSupported("presubscribe");
  },
  pickSVCLayer() {
    throw notSupported("SVC layers");
  },
  async setLiveTranscoding() {
    throw notSupported("CDN live streaming");
  },
  async startLiveStreaming() {
    throw notSupported("CDN live streaming");
  },
  async stopLiveStreaming() {
    throw notSupported("CDN live streaming");
  },
  async enableContentInspect() {
    throw notSupported("content inspection");
  },
  async disableContentInspect() {
    throw notSupported("content inspection");
  },
  async setImageModeration() {
    throw notSupported("image moderation");
  },
  setLocalAccessPointsV2() {
    throw notSupported("local access points");
  },
  setProxyServer() {
    throw notSupported("Agora's proxy servers");
  },
  // Agora's cloud services: analytics for Agora's console, a licence for
  // Agora's cloud, the RTM configuration of Agora's RTC-RTM link.
  async sendCustomReportMessage() {
    throw notSupported("custom reports to Agora's console");
  },
  setLicense() {
    throw notSupported("Agora licences");
  },
  setRTMConfig() {
    throw notSupported("Agora's RTM configuration of an RTC client");
  },

  // Dual stream: cohost forwards one stream per publisher, the one it
  // sends. Asking for what cohost does (dual stream off, the high stream,
  // no fallback) succeeds; asking for a low stream or a fallback fails.
  async enableDualStream() {
    throw notSupported("dual stream (one stream is forwarded per publisher)");
  },
  async disableDualStream() {},
  async setDualStreamMode() {
    throw notSupported("dual stream (one stream is forwarded per publisher)");
  },
  setLowStreamParameter() {
    throw notSupported("dual stream (one stream is forwarded per publisher)");
  },
  async setRemoteVideoStreamType(uid, streamType) {
    checkRemoteUid(uid);
    checkStreamType(streamType);
  },
  async setRemoteDefaultVideoStreamType(streamType) {
    checkStreamType(streamType);
  },
  async setStreamFallbackOption(uid, fallbackType) {
    checkRemoteUid(uid);
    if (!Number.isInteger(fallbackType) || fallbackType < 0 || fallbackType > 8) throw fail("INVALID_PARAMS", "invalid stream fallback type", fallbackType);
    if (fallbackType !== FALLBACK_DISABLE) throw notSupported("stream fallback (one stream is forwarded per publisher)");
  },

  // setEncryptionConfig: cohost's media is encrypted hop by hop (DTLS-SRTP
  // between each client and the server), never end to end: only "none"
  // is true, and asking for anything else throws rather than letting the
  // application believe its media is end-to-end encrypted.
  setEncryptionConfig(encryptionMode) {
    if (encryptionMode === "none") return;
    throw notSupported(`end-to-end media encryption (${String(encryptionMode)})`);
  },

};

// installClientCompat adds clientCompat's members, and those of the other
// sources (the client's calls kept in their own files), to the client class,
// then the cloud proxy (client-proxy.js).
export function installClientCompat(cls, ...sources) {
  for (const src of [clientCompat, clientProxy, ...sources]) Object.defineProperties(cls.prototype, Object.getOwnPropertyDescriptors(src));
  installClientProxy(cls);
}
