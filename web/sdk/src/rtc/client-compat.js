// The rest of IAgoraRTCClient: calls cohost implements from its others
// (massSubscribe, getNetworkQuality …), and Agora cloud features cohost
// does not have, which fail with NOT_SUPPORTED (or, for hints with no
// effect on what the application sees, are accepted).
import { fail } from "./errors.js";

const notSupported = (what) => fail("NOT_SUPPORTED", `cohost does not support ${what}`);

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
  // Accepted, changing nothing: analytics for Agora's console, a licence
  // for Agora's cloud, dual stream (cohost sends one), RTM configuration.
  async sendCustomReportMessage() {},
  setLicense() {},
  async setDualStreamMode() {},
  setRTMConfig() {},
};

// installClientCompat adds clientCompat's members, and those of the other
// sources (the client's calls kept in their own files), to the client class.
export function installClientCompat(cls, ...sources) {
  for (const src of [clientCompat, ...sources]) Object.defineProperties(cls.prototype, Object.getOwnPropertyDescriptors(src));
}
