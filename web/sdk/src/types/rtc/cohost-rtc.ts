// Type definitions for the cohost RTC Web SDK (cohost-rtc.js /
// cohost-rtc.mjs). The API mirrors agora-rtc-sdk-ng 4.x; what cohost adds is
// marked "cohost extension". See docs/web-sdk.md.

/** A user id: a number in [0, 2^32-1], or a string user account (≤255 characters). */
export type UID = number | string;

/** "rtc": everyone is a host (communication). "live": hosts and audience. */
export type SDK_MODE = "rtc" | "live";
/** The codec this client publishes video in. ("av1" is accepted and sent as VP8.) */
export type SDK_CODEC = "vp8" | "vp9" | "h264" | "av1";
export type ClientRole = "host" | "audience";

export type ConnectionState = "DISCONNECTED" | "CONNECTING" | "CONNECTED" | "RECONNECTING" | "DISCONNECTING";

export enum ConnectionDisconnectedReason {
  LEAVE = "LEAVE",
  NETWORK_ERROR = "NETWORK_ERROR",
  SERVER_ERROR = "SERVER_ERROR",
  UID_BANNED = "UID_BANNED",
  IP_BANNED = "IP_BANNED",
  CHANNEL_BANNED = "CHANNEL_BANNED",
  TOKEN_EXPIRE = "TOKEN_EXPIRE",
}

/** Agora's regions for setArea: GLOBAL is accepted, a region throws NOT_SUPPORTED (cohost connects to the servers setServerURL names). */
export enum AREAS {
  CHINA = "CHINA",
  ASIA = "ASIA",
  NORTH_AMERICA = "NORTH_AMERICA",
  EUROPE = "EUROPE",
  JAPAN = "JAPAN",
  INDIA = "INDIA",
  KOREA = "KOREA",
  HKMC = "HKMC",
  US = "US",
  OCEANIA = "OCEANIA",
  SOUTH_AMERICA = "SOUTH_AMERICA",
  AFRICA = "AFRICA",
  OVERSEA = "OVERSEA",
  GLOBAL = "GLOBAL",
  EXTENSIONS = "EXTENSIONS",
}

export enum AudienceLatencyLevelType {
  AUDIENCE_LEVEL_LOW_LATENCY = 1,
  AUDIENCE_LEVEL_ULTRA_LOW_LATENCY = 2,
}

export interface ClientConfig {
  mode: SDK_MODE;
  codec: SDK_CODEC;
  role?: ClientRole;
  /**
   * In a cohost cluster, a member of a live channel (audience or host)
   * stays on the node it reaches, which carries the channel's events and
   * media from and to the node hosting it, instead of being sent there
   * (cohost extension; default false). See docs/cluster.md.
   */
  audienceOnAnyNode?: boolean;
}

/** Accepted for compatibility; cohost has no latency levels. */
export interface ClientRoleOptions {
  level: AudienceLatencyLevelType;
}

/** The codes of the errors this SDK throws (Agora Web's AgoraRTCErrorCode strings). */
export enum AgoraRTCErrorCode {
  UNEXPECTED_ERROR = "UNEXPECTED_ERROR",
  UNEXPECTED_RESPONSE = "UNEXPECTED_RESPONSE",
  TIMEOUT = "TIMEOUT",
  INVALID_PARAMS = "INVALID_PARAMS",
  NOT_SUPPORTED = "NOT_SUPPORTED",
  INVALID_OPERATION = "INVALID_OPERATION",
  OPERATION_ABORTED = "OPERATION_ABORTED",
  NETWORK_ERROR = "NETWORK_ERROR",
  NETWORK_TIMEOUT = "NETWORK_TIMEOUT",
  WS_ABORT = "WS_ABORT",
  WS_DISCONNECT = "WS_DISCONNECT",
  WS_ERR = "WS_ERR",
  CAN_NOT_GET_GATEWAY_SERVER = "CAN_NOT_GET_GATEWAY_SERVER",
  CAN_NOT_GET_PROXY_SERVER = "CAN_NOT_GET_PROXY_SERVER",
  UID_CONFLICT = "UID_CONFLICT",
  TOKEN_EXPIRE = "TOKEN_EXPIRE",
  PERMISSION_DENIED = "PERMISSION_DENIED",
  DEVICE_NOT_FOUND = "DEVICE_NOT_FOUND",
  NOT_READABLE = "NOT_READABLE",
  CONSTRAINT_NOT_SATISFIED = "CONSTRAINT_NOT_SATISFIED",
  INVALID_LOCAL_TRACK = "INVALID_LOCAL_TRACK",
  INVALID_REMOTE_USER = "INVALID_REMOTE_USER",
  REMOTE_USER_IS_NOT_PUBLISHED = "REMOTE_USER_IS_NOT_PUBLISHED",
  CAN_NOT_PUBLISH_MULTIPLE_VIDEO_TRACKS = "CAN_NOT_PUBLISH_MULTIPLE_VIDEO_TRACKS",
  SUBSCRIBE_FAILED = "SUBSCRIBE_FAILED",
  CROSS_CHANNEL_WAIT_STATUS_ERROR = "CROSS_CHANNEL_WAIT_STATUS_ERROR",
  /** The string really is "…_SEC", as in Agora Web. */
  CROSS_CHANNEL_FAILED_JOIN_SRC = "CROSS_CHANNEL_FAILED_JOIN_SEC",
  CROSS_CHANNEL_FAILED_JOIN_DEST = "CROSS_CHANNEL_FAILED_JOIN_DEST",
  CROSS_CHANNEL_FAILED_PACKET_SENT_TO_DEST = "CROSS_CHANNEL_FAILED_PACKET_SENT_TO_DEST",
  CROSS_CHANNEL_SERVER_ERROR_RESPONSE = "CROSS_CHANNEL_SERVER_ERROR_RESPONSE",
}

/** What the server reported, when it did (cohost extension). */
export interface AgoraRTCErrorData {
  /** Agora's native error number, e.g. 119. */
  nativeCode: number;
  /** Its native name, e.g. "ERR_SET_CLIENT_ROLE_NOT_AUTHORIZED". */
  nativeName: string;
  /** A code-specific detail, e.g. a CLIENT_ROLE_CHANGE_FAILED_REASON. */
  reason?: number;
}

/** The shape of every error this SDK throws or rejects with. */
export declare class AgoraRTCError extends Error {
  readonly name: "AgoraRTCException";
  readonly code: AgoraRTCErrorCode | string;
  readonly message: string;
  readonly data?: AgoraRTCErrorData | any;
  constructor(code: AgoraRTCErrorCode | string, message?: string, data?: any);
  toString(): string;
  print(): AgoraRTCError;
}

// ------------------------------------------------------------------ channel media relay

export enum ChannelMediaRelayState {
  RELAY_STATE_IDLE = "RELAY_STATE_IDLE",
  RELAY_STATE_CONNECTING = "RELAY_STATE_CONNECTING",
  RELAY_STATE_RUNNING = "RELAY_STATE_RUNNING",
  RELAY_STATE_FAILURE = "RELAY_STATE_FAILURE",
}

/** Agora Web's four codes, and the native names (without RELAY_ERROR_) for the rest. */
export enum ChannelMediaRelayError {
  RELAY_OK = "RELAY_OK",
  SERVER_ERROR_RESPONSE = "SERVER_ERROR_RESPONSE",
  SERVER_NO_RESPONSE = "SERVER_NO_RESPONSE",
  NO_RESOURCE_AVAILABLE = "NO_RESOURCE_AVAILABLE",
  FAILED_JOIN_SRC = "FAILED_JOIN_SRC",
  FAILED_JOIN_DEST = "FAILED_JOIN_DEST",
  FAILED_PACKET_RECEIVED_FROM_SRC = "FAILED_PACKET_RECEIVED_FROM_SRC",
  FAILED_PACKET_SENT_TO_DEST = "FAILED_PACKET_SENT_TO_DEST",
  SERVER_CONNECTION_LOST = "SERVER_CONNECTION_LOST",
  INTERNAL_ERROR = "INTERNAL_ERROR",
  SRC_TOKEN_EXPIRED = "SRC_TOKEN_EXPIRED",
  DEST_TOKEN_EXPIRED = "DEST_TOKEN_EXPIRED",
}

/** Agora Web's ten events, and the native names (without RELAY_EVENT_) for the rest. */
export enum ChannelMediaRelayEvent {
  NETWORK_DISCONNECTED = "NETWORK_DISCONNECTED",
  NETWORK_CONNECTED = "NETWORK_CONNECTED",
  PACKET_JOINED_SRC_CHANNEL = "PACKET_JOINED_SRC_CHANNEL",
  PACKET_JOINED_DEST_CHANNEL = "PACKET_JOINED_DEST_CHANNEL",
  PACKET_SENT_TO_DEST_CHANNEL = "PACKET_SENT_TO_DEST_CHANNEL",
  PACKET_RECEIVED_VIDEO_FROM_SRC = "PACKET_RECEIVED_VIDEO_FROM_SRC",
  PACKET_RECEIVED_AUDIO_FROM_SRC = "PACKET_RECEIVED_AUDIO_FROM_SRC",
  PACKET_UPDATE_DEST_CHANNEL = "PACKET_UPDATE_DEST_CHANNEL",
  PACKET_UPDATE_DEST_CHANNEL_REFUSED = "PACKET_UPDATE_DEST_CHANNEL_REFUSED",
  PACKET_UPDATE_DEST_CHANNEL_NOT_CHANGE = "PACKET_UPDATE_DEST_CHANNEL_NOT_CHANGE",
  PACKET_UPDATE_DEST_CHANNEL_IS_NULL = "PACKET_UPDATE_DEST_CHANNEL_IS_NULL",
  VIDEO_PROFILE_UPDATE = "VIDEO_PROFILE_UPDATE",
  PAUSE_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS = "PAUSE_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS",
  PAUSE_SEND_PACKET_TO_DEST_CHANNEL_FAILED = "PAUSE_SEND_PACKET_TO_DEST_CHANNEL_FAILED",
  RESUME_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS = "RESUME_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS",
  RESUME_SEND_PACKET_TO_DEST_CHANNEL_FAILED = "RESUME_SEND_PACKET_TO_DEST_CHANNEL_FAILED",
}

export interface ChannelMediaRelayInfo {
  channelName: string;
  token?: string | null;
  /** Integer uids only. 0 lets the server choose (destination) or means the caller (source). */
  uid: number;
}

export interface IChannelMediaRelayConfiguration {
  /** The source: the caller's channel, uid 0 (or the caller's uid), a token for (channel, uid). */
  setSrcChannelInfo(info: ChannelMediaRelayInfo): void;
  /** Adds (or replaces, by channel name) a destination. The server's limit is 4 by default. */
  addDestChannelInfo(info: ChannelMediaRelayInfo): void;
  removeDestChannelInfo(channelName: string): void;
}

export declare class ChannelMediaRelayConfiguration implements IChannelMediaRelayConfiguration {
  constructor();
  setSrcChannelInfo(info: ChannelMediaRelayInfo): void;
  addDestChannelInfo(info: ChannelMediaRelayInfo): void;
  removeDestChannelInfo(channelName: string): void;
}

// ------------------------------------------------------------------ tracks

export type VideoEncoderConfigurationPreset =
  | "120p" | "120p_1" | "120p_3" | "180p" | "180p_1" | "180p_3" | "180p_4"
  | "240p" | "240p_1" | "240p_3" | "240p_4"
  | "360p" | "360p_1" | "360p_3" | "360p_4" | "360p_6" | "360p_7" | "360p_8" | "360p_9" | "360p_10" | "360p_11"
  | "480p" | "480p_1" | "480p_2" | "480p_3" | "480p_4" | "480p_6" | "480p_8" | "480p_9" | "480p_10"
  | "720p" | "720p_1" | "720p_2" | "720p_3" | "720p_5" | "720p_6"
  | "1080p" | "1080p_1" | "1080p_2" | "1080p_3" | "1080p_5";

export interface ConstrainLong { max?: number; min?: number; ideal?: number; exact?: number; }

export interface VideoEncoderConfiguration {
  width?: number | ConstrainLong;
  height?: number | ConstrainLong;
  frameRate?: number | ConstrainLong;
  /** kbps */
  bitrateMin?: number;
  /** kbps */
  bitrateMax?: number;
}

export interface CameraVideoTrackInitConfig {
  encoderConfig?: VideoEncoderConfiguration | VideoEncoderConfigurationPreset;
  facingMode?: "user" | "environment";
  cameraId?: string;
  optimizationMode?: "balanced" | "motion" | "detail";
}

export interface MicrophoneAudioTrackInitConfig {
  encoderConfig?: any;
  microphoneId?: string;
  AEC?: boolean;
  AGC?: boolean;
  ANS?: boolean;
}

export interface CustomVideoTrackInitConfig {
  mediaStreamTrack: MediaStreamTrack;
  bitrateMin?: number;
  bitrateMax?: number;
  optimizationMode?: "motion" | "detail";
}

export interface CustomAudioTrackInitConfig {
  mediaStreamTrack: MediaStreamTrack;
  encoderConfig?: any;
}

export interface ScreenVideoTrackInitConfig {
  encoderConfig?: VideoEncoderConfiguration | VideoEncoderConfigurationPreset;
  optimizationMode?: "motion" | "detail";
}

export interface VideoPlayerConfig {
  mirror?: boolean;
  fit?: "cover" | "contain" | "fill";
}

export interface ITrack {
  readonly trackMediaType: "audio" | "video";
  readonly isPlaying: boolean;
  getTrackId(): string;
  getMediaStreamTrack(): MediaStreamTrack;
  play(element?: string | HTMLElement, config?: VideoPlayerConfig): void;
  stop(): void;
  on(event: string, listener: (...args: any[]) => void): void;
  off(event: string, listener: (...args: any[]) => void): void;
  once(event: string, listener: (...args: any[]) => void): void;
  removeAllListeners(event?: string): void;
}

export interface ILocalTrack extends ITrack {
  /** Swaps the MediaStreamTrack everywhere the track is published. */
  replaceTrack(track: MediaStreamTrack, stopOldTrack: boolean): Promise<void>;
  getRTCRtpTransceiver(): RTCRtpTransceiver | undefined;
  /** Agora extensions: throw NOT_SUPPORTED. */
  pipe(processor: any): any;
  unpipe(): void;
  readonly processorDestination: any;
  useExtension(...args: any[]): any;
  removeExtension(...args: any[]): any;
  /** The device's name (the MediaStreamTrack's label). */
  getTrackLabel(): string;
  readonly enabled: boolean;
  readonly muted: boolean;
  /** Stops or restarts the track. Camera and microphone tracks release the device while disabled. Remote users see user-unpublished / user-published. */
  setEnabled(enabled: boolean): Promise<void>;
  /** Stops or resumes sending (the device stays on). Remote users see user-unpublished / user-published. */
  setMuted(muted: boolean): Promise<void>;
  getMediaStreamTrackSettings(): MediaTrackSettings;
  /** Closes the track (and unpublishes it where it is published). */
  close(): void;
  on(event: "track-ended", listener: () => void): void;
  on(event: string, listener: (...args: any[]) => void): void;
}

export interface ILocalVideoTrack extends ILocalTrack {
  clone(config?: VideoEncoderConfiguration, cloneTrack?: boolean): ILocalVideoTrack;
  getCurrentFrameImage(imageType?: string, quality?: number): Promise<ImageTypedData>;
  getVideoElementVisibleStatus(): { visible: boolean; reason?: string } | undefined;
  /** NOT_SUPPORTED. */
  setBeautyEffect(enabled: boolean, options?: BeautyEffectOptions): Promise<void>;
  sendSeiData(sei: Uint8Array): void;
  readonly trackMediaType: "video";
  play(element: string | HTMLElement, config?: VideoPlayerConfig): void;
  getStats(): LocalVideoTrackStats;
  setOptimizationMode(mode: "balanced" | "motion" | "detail"): Promise<void>;
  getCurrentFrameData(): ImageData;
}

export interface ICameraVideoTrack extends ILocalVideoTrack {
  setDevice(deviceId: string | { deviceId: string }): Promise<void>;
  setEncoderConfiguration(config: VideoEncoderConfiguration | VideoEncoderConfigurationPreset): Promise<void>;
}

export interface ILocalAudioTrack extends ILocalTrack {
  /** Plays the local playback on another output device. */
  setPlaybackDevice(deviceId: string): Promise<void>;
  /** NOT_SUPPORTED. */
  setAudioFrameCallback(fn: ((buffer: AudioBuffer) => void) | null, frameSize?: number): void;
  addReferenceTrack(track: ILocalAudioTrack): void;
  removeReferenceTrack(): void;
  readonly trackMediaType: "audio";
  play(): void;
  /** 0–1000 (100 = original). On cohost this sets the local playback volume only. */
  setVolume(volume: number): void;
  /** 0–1 */
  getVolumeLevel(): number;
  getStats(): LocalAudioTrackStats;
}

export interface IMicrophoneAudioTrack extends ILocalAudioTrack {
  setDevice(deviceId: string | { deviceId: string }): Promise<void>;
}

export interface IRemoteTrack extends ITrack {
  getUserId(): UID;
}

export interface IRemoteVideoTrack extends IRemoteTrack {
  readonly trackMediaType: "video";
  play(element: string | HTMLElement, config?: VideoPlayerConfig): void;
  getStats(): RemoteVideoTrackStats;
  getCurrentFrameData(): ImageData;
}

export interface IRemoteAudioTrack extends IRemoteTrack {
  readonly trackMediaType: "audio";
  play(): void;
  setVolume(volume: number): void;
  getVolumeLevel(): number;
  getStats(): RemoteAudioTrackStats;
}

export interface IAgoraRTCRemoteUser {
  uid: UID;
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
  audioTrack?: IRemoteAudioTrack;
  videoTrack?: IRemoteVideoTrack;
}

// ------------------------------------------------------------------ stats

export interface AgoraRTCStats {
  Duration: number;
  RecvBitrate: number;
  SendBitrate: number;
  RecvBytes: number;
  SendBytes: number;
  UserCount: number;
  RTT: number;
  OutgoingAvailableBandwidth: number;
}

export interface LocalVideoTrackStats {
  sendBytes: number;
  sendPackets: number;
  sendBitrate: number;
  sendResolutionWidth: number;
  sendResolutionHeight: number;
  sendFrameRate: number;
  encodeDelay: number;
  targetSendBitrate: number;
  totalDuration: number;
  /** cohost extension */
  framesEncoded: number;
}

export interface LocalAudioTrackStats {
  sendBytes: number;
  sendPackets: number;
  sendBitrate: number;
}

export interface RemoteVideoTrackStats {
  receiveBytes: number;
  receivePackets: number;
  receivePacketsLost: number;
  packetLossRate: number;
  receiveBitrate: number;
  receiveResolutionWidth: number;
  receiveResolutionHeight: number;
  receiveFrameRate: number;
  decodeFrameRate: number;
  renderFrameRate: number;
  totalFreezeTime: number;
  freezeRate: number;
  transportDelay: number;
  end2EndDelay: number;
  receiveDelay: number;
  totalDuration: number;
  codecType: string;
  /** Frames decoded so far (cohost extension). */
  framesDecoded: number;
}

export interface RemoteAudioTrackStats {
  receiveBytes: number;
  receivePackets: number;
  receivePacketsLost: number;
  packetLossRate: number;
  receiveBitrate: number;
  receiveLevel: number;
  transportDelay: number;
  end2EndDelay: number;
  receiveDelay: number;
  totalDuration: number;
  codecType: string;
  freezeRate: number;
}

// ------------------------------------------------------------------ client

/** The argument of "client-role-changed" (cohost extension; Agora Web 3.x's event name, seed 000's). */
export interface ClientRoleChangedEvent {
  type: "client-role-changed";
  role: ClientRole;
  oldRole: ClientRole;
  /** true when another user (setRemoteClientRole) changed the role. */
  remote: boolean;
}

export interface IAgoraRTCClient {
  /** Subscribes to each; one result each, with the track or the error. */
  massSubscribe(list: { user: IAgoraRTCRemoteUser; mediaType: "audio" | "video" }[]): Promise<{ user: IAgoraRTCRemoteUser; mediaType: "audio" | "video"; track?: IRemoteTrack; error?: AgoraRTCError }[]>;
  massUnsubscribe(list: { user: IAgoraRTCRemoteUser; mediaType?: "audio" | "video" }[]): Promise<void>;
  /** 0 (unknown): cohost does not rate links. */
  getNetworkQuality(): NetworkQuality;
  /** 0: not synchronised with NTP. */
  getNtpWallTimeInMs(): number;
  readonly localDataChannels: ILocalDataChannel[];
  /** Reject (or throw) with NOT_SUPPORTED. */
  presubscribe(uid: UID, mediaType: "audio" | "video"): Promise<IRemoteTrack>;
  pickSVCLayer(uid: UID, layer: { spatialLayer: number; temporalLayer: number }): void;
  setLiveTranscoding(config: LiveStreamingTranscodingConfig): Promise<void>;
  startLiveStreaming(url: string, transcodingEnabled?: boolean): Promise<void>;
  stopLiveStreaming(url: string): Promise<void>;
  enableContentInspect(config: InspectConfiguration): Promise<void>;
  disableContentInspect(): Promise<void>;
  setImageModeration(enabled: boolean, config?: any): Promise<void>;
  setLocalAccessPointsV2(config: LocalAccessPointConfig): void;
  setProxyServer(proxyServer: string): void;
  /** NOT_SUPPORTED: Agora's console reports, licences and RTM configuration. */
  sendCustomReportMessage(params: EventCustomReportParams | EventCustomReportParams[]): Promise<void>;
  setLicense(license: string): void;
  setDualStreamMode(mode: any): Promise<void>;
  setRTMConfig(config: any): void;
  readonly connectionState: ConnectionState;
  readonly remoteUsers: IAgoraRTCRemoteUser[];
  readonly localTracks: ILocalTrack[];
  readonly uid?: UID;
  readonly channelName?: string;
  readonly mode: SDK_MODE;
  readonly codec: SDK_CODEC;
  /** The current role (cohost extension). */
  readonly role: ClientRole;

  join(appid: string, channel: string, token: string | null, uid?: UID | null): Promise<UID>;
  leave(): Promise<void>;
  publish(tracks: ILocalTrack | ILocalTrack[]): Promise<void>;
  unpublish(tracks?: ILocalTrack | ILocalTrack[]): Promise<void>;
  subscribe(user: IAgoraRTCRemoteUser | UID, mediaType: "video"): Promise<IRemoteVideoTrack>;
  subscribe(user: IAgoraRTCRemoteUser | UID, mediaType: "audio"): Promise<IRemoteAudioTrack>;
  subscribe(user: IAgoraRTCRemoteUser | UID, mediaType: "video" | "audio"): Promise<IRemoteTrack>;
  unsubscribe(user: IAgoraRTCRemoteUser | UID, mediaType?: "video" | "audio"): Promise<void>;
  /** Live mode only. "audience" is refused (INVALID_OPERATION) while local tracks are published, as in Agora Web. */
  setClientRole(role: ClientRole, options?: ClientRoleOptions): Promise<void>;
  /** Changes another member's role; needs a token with the administrateChannel privilege (cohost extension). */
  setRemoteClientRole(uid: UID, role: ClientRole): Promise<void>;
  renewToken(token: string): Promise<void>;
  setTurnServer(turnServer: { turnServerURL: string; username: string; password: string; udpport?: number } | Array<{ turnServerURL: string; username: string; password: string; udpport?: number }>): void;

  startChannelMediaRelay(config: IChannelMediaRelayConfiguration): Promise<void>;
  updateChannelMediaRelay(config: IChannelMediaRelayConfiguration): Promise<void>;
  stopChannelMediaRelay(): Promise<void>;
  /** cohost extension (the native SDK's call). */
  pauseAllChannelMediaRelay(): Promise<void>;
  /** cohost extension (the native SDK's call). */
  resumeAllChannelMediaRelay(): Promise<void>;

  getRTCStats(): AgoraRTCStats;
  getLocalVideoStats(): LocalVideoTrackStats;
  getLocalAudioStats(): LocalAudioTrackStats;
  getRemoteVideoStats(): { [uid: string]: RemoteVideoTrackStats };
  getRemoteAudioStats(): { [uid: string]: RemoteAudioTrackStats };
  getRemoteNetworkQuality(): { [uid: string]: { uplinkNetworkQuality: number; downlinkNetworkQuality: number } };
  enableAudioVolumeIndicator(): void;

  /** No dual stream or end-to-end encryption: enabling them (a low stream, a fallback, an encryption mode other than "none") fails with NOT_SUPPORTED; asking for what cohost does succeeds. */
  enableDualStream(): Promise<void>;
  disableDualStream(): Promise<void>;
  setRemoteVideoStreamType(uid: UID, streamType: number): Promise<void>;
  setStreamFallbackOption(uid: UID, fallbackType: number): Promise<void>;
  setLowStreamParameter(streamParameter: any): void;
  setEncryptionConfig(mode: string, secret: string, salt?: Uint8Array): void;
  /** Cloud proxy through the server's TURN relay, before join or after leave (else INVALID_OPERATION): 3 (the default) relays all media over UDP, 5 over TLS on the server's HTTPS port; other modes are INVALID_PARAMS. A join whose server offers no such relay fails with CAN_NOT_GET_PROXY_SERVER. */
  startProxyServer(mode?: number): void;
  /** Back to direct connections (with automatic TURN fallback), before join or after leave. */
  stopProxyServer(): void;

  on(event: "connection-state-change", listener: (curState: ConnectionState, revState: ConnectionState, reason?: ConnectionDisconnectedReason) => void): void;
  on(event: "user-joined", listener: (user: IAgoraRTCRemoteUser) => void): void;
  on(event: "user-left", listener: (user: IAgoraRTCRemoteUser, reason: "Quit" | "ServerTimeOut" | "BecomeAudience" | string) => void): void;
  on(event: "user-published", listener: (user: IAgoraRTCRemoteUser, mediaType: "audio" | "video") => void): void;
  on(event: "user-unpublished", listener: (user: IAgoraRTCRemoteUser, mediaType: "audio" | "video") => void): void;
  on(event: "user-info-updated", listener: (uid: UID, msg: "mute-audio" | "mute-video" | "unmute-audio" | "unmute-video") => void): void;
  on(event: "token-privilege-will-expire", listener: () => void): void;
  on(event: "token-privilege-did-expire", listener: () => void): void;
  /** channel: the destination the state concerns, when one does (cohost extension). */
  on(event: "channel-media-relay-state", listener: (state: ChannelMediaRelayState, code: ChannelMediaRelayError, channel?: string) => void): void;
  /** channel: the destination the event concerns, when one does (cohost extension). */
  on(event: "channel-media-relay-event", listener: (event: ChannelMediaRelayEvent, channel?: string) => void): void;
  /** A relay token is about to expire (cohost extension): renew it with updateChannelMediaRelay. */
  on(event: "channel-media-relay-token-privilege-will-expire", listener: (relay: "src" | "dest", channel: string) => void): void;
  /** cohost extension (seed 000's name; Agora Web 3.x's event). */
  on(event: "client-role-changed", listener: (event: ClientRoleChangedEvent) => void): void;
  on(event: "volume-indicator", listener: (result: Array<{ uid: UID; level: number }>) => void): void;
  on(event: string, listener: (...args: any[]) => void): void;
  once(event: string, listener: (...args: any[]) => void): void;
  off(event: string, listener: (...args: any[]) => void): void;
  removeAllListeners(event?: string): void;
  getListeners(event: string): Function[];
}

// ------------------------------------------------------------------ AgoraRTC

export interface DeviceInfo {
  updateAt: number;
  initAt: number;
  state: "ACTIVE" | "INACTIVE";
  device: MediaDeviceInfo;
}

export interface IAgoraRTC {
  readonly VERSION: string;
  /** "cohost-" and cohost's own version. */
  readonly BUILD: string;
  readonly AREAS: typeof AREAS;
  readonly AgoraRTCError: typeof AgoraRTCError;
  readonly AgoraRTCErrorCode: typeof AgoraRTCErrorCode;
  readonly ChannelMediaRelayConfiguration: typeof ChannelMediaRelayConfiguration;
  readonly ChannelMediaRelayState: typeof ChannelMediaRelayState;
  readonly ChannelMediaRelayError: typeof ChannelMediaRelayError;
  readonly ChannelMediaRelayEvent: typeof ChannelMediaRelayEvent;
  readonly ConnectionDisconnectedReason: typeof ConnectionDisconnectedReason;
  readonly AudienceLatencyLevelType: typeof AudienceLatencyLevelType;

  createClient(config: ClientConfig): IAgoraRTCClient;
  createChannelMediaRelayConfiguration(): IChannelMediaRelayConfiguration;
  createCameraVideoTrack(config?: CameraVideoTrackInitConfig): Promise<ICameraVideoTrack>;
  createMicrophoneAudioTrack(config?: MicrophoneAudioTrackInitConfig): Promise<IMicrophoneAudioTrack>;
  createMicrophoneAndCameraTracks(audioConfig?: MicrophoneAudioTrackInitConfig, videoConfig?: CameraVideoTrackInitConfig): Promise<[IMicrophoneAudioTrack, ICameraVideoTrack]>;
  createCustomVideoTrack(config: CustomVideoTrackInitConfig): ILocalVideoTrack;
  createCustomAudioTrack(config: CustomAudioTrackInitConfig): ILocalAudioTrack;
  createScreenVideoTrack(config: ScreenVideoTrackInitConfig, withAudio?: "enable" | "disable" | "auto"): Promise<ILocalVideoTrack | [ILocalVideoTrack, ILocalAudioTrack]>;

  getDevices(skipPermissionCheck?: boolean): Promise<MediaDeviceInfo[]>;
  getCameras(skipPermissionCheck?: boolean): Promise<MediaDeviceInfo[]>;
  getMicrophones(skipPermissionCheck?: boolean): Promise<MediaDeviceInfo[]>;
  getPlaybackDevices(skipPermissionCheck?: boolean): Promise<MediaDeviceInfo[]>;
  checkSystemRequirements(): boolean;
  getSupportedCodec(): Promise<{ video: string[]; audio: string[] }>;
  /** 0 DEBUG, 1 INFO, 2 WARNING, 3 ERROR, 4 NONE */
  setLogLevel(level: number): void;
  enableLogUpload(): void;
  disableLogUpload(): void;
  setArea(area: any): void;
  /** How Agora's wrappers (agora-rtc-react …) name themselves: a non-negative integer. */
  setAppType(type: number): void;
  /** Resolves true once the track carries sound within timeout ms (5000). */
  checkAudioTrackIsActive(track: ILocalAudioTrack | IRemoteAudioTrack, timeout?: number): Promise<boolean>;
  /** Resolves true once the track's picture changes within timeout ms (5000). */
  checkVideoTrackIsActive(track: ILocalVideoTrack | IRemoteVideoTrack, timeout?: number): Promise<boolean>;
  isAV1Decodable(): Promise<boolean>;
  resumeAudioContext(): void;
  /** Opens and closes a connection to the server a join will use; rejects with CAN_NOT_GET_GATEWAY_SERVER when it does not answer. */
  preload(appid: string, channel: string, token: string | null, uid?: UID | null): Promise<void>;
  /** Rejects with NOT_SUPPORTED: cohost has no last-mile probe. */
  startLastmileProbeTest(appid: string, channel: string, token: string | null, uid?: UID | null): Promise<never>;
  /** Rejects with NOT_SUPPORTED. */
  requestConfigDistribute(...args: any[]): Promise<never>;
  /** Throws NOT_SUPPORTED: cohost has no echo cancellation of external media. */
  processExternalMediaAEC(element: HTMLMediaElement): void;
  /** Throws NOT_SUPPORTED for any extension: cohost runs no Agora extensions. */
  registerExtensions(extensions: any[]): void;
  /** Throws NOT_SUPPORTED: Agora's service packages do not run on cohost (its services are built in). */
  use(service: any): void;
  /** NOT_SUPPORTED. */
  createBufferSourceAudioTrack(config: BufferSourceAudioTrackInitConfig): Promise<IBufferSourceAudioTrack>;
  getElectronScreenSources(type?: ScreenSourceType): Promise<ElectronDesktopCapturerSource[]>;
  once(event: string, listener: (...args: any[]) => void): void;
  removeAllListeners(event?: string): void;
  getListeners(event: string): Function[];
  setParameter(key: string, value: any): void;

  /**
   * Points the SDK at a cohost server other than the one it was loaded from, or at
   * several, tried in order when one does not answer
   * (cohost extension), e.g. AgoraRTC.setServerURL("https://rtc.example.com").
   */
  setServerURL(url: string | string[]): void;
  /** The cohost server the SDK talks to (cohost extension). */
  getServerURL(): string;

  on(event: "camera-changed" | "microphone-changed" | "playback-device-changed", listener: (info: DeviceInfo) => void): void;
  off(event: string, listener: (...args: any[]) => void): void;
  onCameraChanged?: (info: DeviceInfo) => void;
  onMicrophoneChanged?: (info: DeviceInfo) => void;
  onPlaybackDeviceChanged?: (info: DeviceInfo) => void;
  onAudioAutoplayFailed?: () => void;
  /** Called when the browser blocks a play(), once until the user interacts with the page. */
  onAutoplayFailed?: () => void;
  onAudioContextStateChanged?: (currState: AudioContextState | "interrupted", prevState: AudioContextState | "interrupted" | undefined) => void;
  onSecurityPolicyViolation?: (event: SecurityPolicyViolationEvent) => void;
}

declare const AgoraRTC: IAgoraRTC;
export default AgoraRTC;
export declare const VERSION: string;
export { AgoraRTC };
export declare const BUILD: string;
export declare const createClient: IAgoraRTC["createClient"];
export declare const createChannelMediaRelayConfiguration: IAgoraRTC["createChannelMediaRelayConfiguration"];
export declare const createCameraVideoTrack: IAgoraRTC["createCameraVideoTrack"];
export declare const createMicrophoneAudioTrack: IAgoraRTC["createMicrophoneAudioTrack"];
export declare const createMicrophoneAndCameraTracks: IAgoraRTC["createMicrophoneAndCameraTracks"];
export declare const createCustomVideoTrack: IAgoraRTC["createCustomVideoTrack"];
export declare const createCustomAudioTrack: IAgoraRTC["createCustomAudioTrack"];
export declare const createScreenVideoTrack: IAgoraRTC["createScreenVideoTrack"];
export declare const checkSystemRequirements: IAgoraRTC["checkSystemRequirements"];
export declare const checkAudioTrackIsActive: IAgoraRTC["checkAudioTrackIsActive"];
export declare const checkVideoTrackIsActive: IAgoraRTC["checkVideoTrackIsActive"];
export declare const isAV1Decodable: IAgoraRTC["isAV1Decodable"];
export declare const getDevices: IAgoraRTC["getDevices"];
export declare const getCameras: IAgoraRTC["getCameras"];
export declare const getMicrophones: IAgoraRTC["getMicrophones"];
export declare const getPlaybackDevices: IAgoraRTC["getPlaybackDevices"];
export declare const getSupportedCodec: IAgoraRTC["getSupportedCodec"];
export declare const setLogLevel: IAgoraRTC["setLogLevel"];
export declare const enableLogUpload: IAgoraRTC["enableLogUpload"];
export declare const disableLogUpload: IAgoraRTC["disableLogUpload"];
export declare const setArea: IAgoraRTC["setArea"];
export declare const setAppType: IAgoraRTC["setAppType"];
export declare const setParameter: IAgoraRTC["setParameter"];
export declare const preload: IAgoraRTC["preload"];
export declare const startLastmileProbeTest: IAgoraRTC["startLastmileProbeTest"];
export declare const requestConfigDistribute: IAgoraRTC["requestConfigDistribute"];
export declare const processExternalMediaAEC: IAgoraRTC["processExternalMediaAEC"];
export declare const registerExtensions: IAgoraRTC["registerExtensions"];
export declare const resumeAudioContext: IAgoraRTC["resumeAudioContext"];
export declare const setServerURL: IAgoraRTC["setServerURL"];
export declare const getServerURL: IAgoraRTC["getServerURL"];
export declare const DEV: boolean;
export declare const ESM: boolean;
export declare const ESM_BUNDLER: boolean;
export declare const UMD: boolean;
export declare const __CLIENT_LIST__: IAgoraRTCClient[];
export declare function onCameraChanged(fn: (info: DeviceInfo) => void): void;
export declare function onMicrophoneChanged(fn: (info: DeviceInfo) => void): void;
export declare function onPlaybackDeviceChanged(fn: (info: DeviceInfo) => void): void;
export declare function onAudioAutoplayFailed(fn: () => void): void;
export declare function onAutoplayFailed(fn: () => void): void;
export declare function onAudioContextStateChanged(fn: (currState: AudioContextState | "interrupted", prevState: AudioContextState | "interrupted" | undefined) => void): void;
export declare function onSecurityPolicyViolation(fn: (event: SecurityPolicyViolationEvent) => void): void;

declare global {
  /** Defined by the classic script /sdk/cohost-rtc.js. */
  var AgoraRTC: IAgoraRTC;
}

// ------------------------------------------------------------------ Agora types cohost accepts
// Declared so that applications typed against agora-rtc-sdk-ng compile; the
// features behind several of them (data channels, CDN live streaming, SVC,
// buffer-source tracks, beauty effects, content inspection) are not
// supported by cohost: the calls taking them reject with NOT_SUPPORTED.

export type SDK_AUDIO_CODEC = "opus" | "pcmu" | "pcma" | "g722";
export type DeviceState = "ACTIVE" | "INACTIVE";
export type AudioSourceState = "stopped" | "playing" | "paused";
export type ScreenSourceType = "screen" | "window" | "application";
export type EncryptionMode = "aes-128-xts" | "aes-256-xts" | "aes-128-ecb" | "sm4-128-ecb" | "aes-128-gcm" | "aes-256-gcm" | "aes-128-gcm2" | "aes-256-gcm2" | "none";
export type AudioEncoderConfigurationPreset = "speech_low_quality" | "speech_standard" | "music_standard" | "standard_stereo" | "high_quality" | "high_quality_stereo";
export type ScreenEncoderConfigurationPreset = "480p" | "480p_1" | "480p_2" | "480p_3" | "720p" | "720p_1" | "720p_2" | "720p_3" | "720p_auto" | "1080p" | "1080p_1" | "1080p_2" | "1080p_3";
export type SVCConfigurationPreset = "1SL1TL" | "1SL2TL" | "1SL3TL" | "2SL1TL" | "2SL2TL" | "2SL3TL" | "3SL1TL" | "3SL2TL" | "3SL3TL";
export type LocalAccessPointConfig = Record<string, any>;

export enum RemoteStreamType {
  HIGH_STREAM = 0,
  LOW_STREAM = 1,
}
export enum RemoteStreamFallbackType {
  DISABLE = 0,
  LOW_STREAM = 1,
  AUDIO_ONLY = 2,
}
export enum VideoState {
  VideoStateStopped = 0,
  VideoStateStarting = 1,
  VideoStateDecoding = 2,
  VideoStateFrozen = 3,
}

export interface AudioEncoderConfiguration { sampleRate?: number; sampleSize?: number; stereo?: boolean; bitrate?: number; }
export interface AudioSourceOptions { cycle?: number; loop?: boolean; startPlayTime?: number; }
export interface BeautyEffectOptions { lighteningContrastLevel?: 0 | 1 | 2; lighteningLevel?: number; smoothnessLevel?: number; sharpnessLevel?: number; rednessLevel?: number; }
export interface BufferSourceAudioTrackInitConfig { source: File | string | AudioBuffer; cacheOnlineFile?: boolean; encoderConfig?: AudioEncoderConfiguration | AudioEncoderConfigurationPreset; }
export interface ElectronDesktopCapturerSource { id: string; name: string; thumbnail: any; }
export interface EventCustomReportParams { reportId: string; category: string; event: string; label: string; value: number; }
export interface IAgoraRTCError { readonly code: AgoraRTCErrorCode | string; readonly message: string; readonly data?: any; readonly name: string; toString(): string; print(): IAgoraRTCError; }
export interface IBufferSourceAudioTrack extends ILocalAudioTrack { readonly source: string | File | AudioBuffer | null; readonly currentState: AudioSourceState; readonly duration: number; getCurrentTime(): number; startProcessAudioBuffer(options?: AudioSourceOptions): void; pauseProcessAudioBuffer(): void; resumeProcessAudioBuffer(): void; stopProcessAudioBuffer(): void; seekAudioBuffer(time: number): void; }
export interface IDataChannelConfig { id: number; ordered: boolean; metadata: string; }
export interface IDataChannel { readonly id: number; readonly ordered: boolean; readonly metadata: string; readonly readyState: RTCDataChannelState; getChannelId(): string; getConfig(): IDataChannelConfig; }
export interface ILocalDataChannel extends IDataChannel { send(message: ArrayBuffer): void; }
export interface IRemoteDataChannel extends IDataChannel { getUserId(): UID; }
export interface IJoinOptions { appid: string; channel: string; token: string | null; uid?: UID | null; }
export interface ImageTypedData { buffer: Uint8Array; width: number; height: number; }
export interface InspectConfiguration { interval?: number; ossFilePrefix?: string; extraInfo?: string; inspectType?: ("supervise" | "moderation")[]; }
export interface LastmileProbeResult { state: string; uplinkReport?: any; downlinkReport?: any; rtt?: number; }
export interface LiveStreamingTranscodingImage { url: string; x?: number; y?: number; width?: number; height?: number; alpha?: number; }
export interface LiveStreamingTranscodingUser { uid: UID; x?: number; y?: number; width?: number; height?: number; zOrder?: number; alpha?: number; audioChannel?: number; }
export interface LiveStreamingTranscodingConfig { width?: number; height?: number; videoBitrate?: number; videoFrameRate?: number; audioSampleRate?: number; audioBitrate?: number; audioChannels?: number; videoGop?: number; videoCodecProfile?: number; userCount?: number; backgroundColor?: number; transcodingUsers?: LiveStreamingTranscodingUser[]; watermark?: LiveStreamingTranscodingImage; backgroundImage?: LiveStreamingTranscodingImage; userConfigExtraInfo?: string; }
export interface LowStreamParameter { width: number; height: number; framerate?: number; bitrate?: number; }
/** 0 unknown … 6 down; cohost reports 0. */
export interface NetworkQuality { uplinkNetworkQuality: 0 | 1 | 2 | 3 | 4 | 5 | 6; downlinkNetworkQuality: 0 | 1 | 2 | 3 | 4 | 5 | 6; }
export interface SVCConfiguration { numSpatialLayers: 1 | 2 | 3; numTemporalLayers: 1 | 2 | 3; }
export interface TurnServerConfig { turnServerURL: string; username: string; password: string; udpport?: number; tcpport?: number; forceturn?: boolean; security?: boolean; }
