// agora-rtm-sdk 1.5's metadata calls: cohost keeps channel and user
// attributes (the 1.x calls) but not the separate metadata store, so these
// reject with an RtmError named NOT_SUPPORTED. createMetadataItem builds
// the item object the calls take.
import { fail } from "./codes.js";

const notSupported = () => Promise.reject(fail(1, "cohost does not support RTM metadata: use channel and user attributes", "NOT_SUPPORTED"));

export const clientMetadata = {
  createMetadataItem() {
    const item = { key: "", value: "", revision: -1, lastUpdateTs: 0, lastUpdateUserId: "" };
    return Object.assign(item, {
      setKey(key) {
        item.key = key;
      },
      setValue(value) {
        item.value = value;
      },
      setRevision(revision) {
        item.revision = revision;
      },
    });
  },
  getUserMetadata: notSupported,
  setLocalUserMetadata: notSupported,
  addLocalUserMetadata: notSupported,
  updateLocalUserMetadata: notSupported,
  deleteLocalUserMetadata: notSupported,
  clearLocalUserMetadata: notSupported,
  subscribeUserMetadata: notSupported,
  unsubscribeUserMetadata: notSupported,
};

export const channelMetadata = {
  getChannelMetadata: notSupported,
  setChannelMetadata: notSupported,
  addChannelMetadata: notSupported,
  updateChannelMetadata: notSupported,
  deleteChannelMetadata: notSupported,
  clearChannelMetadata: notSupported,
};

/** install adds the members of source to cls. */
export function install(cls, source) {
  Object.defineProperties(cls.prototype, Object.getOwnPropertyDescriptors(source));
}
