export declare enum ConnectionState {
    DISCONNECTED = "DISCONNECTED",
    CONNECTING = "CONNECTING",
    CONNECTED = "CONNECTED",
    RECONNECTING = "RECONNECTING",
    ABORTED = "ABORTED"
}
export declare enum ConnectionChangeReason {
    LOGIN = "LOGIN",
    LOGIN_SUCCESS = "LOGIN_SUCCESS",
    LOGIN_FAILURE = "LOGIN_FAILURE",
    LOGIN_TIMEOUT = "LOGIN_TIMEOUT",
    INTERRUPTED = "INTERRUPTED",
    LOGOUT = "LOGOUT",
    BANNED_BY_SERVER = "BANNED_BY_SERVER",
    REMOTE_LOGIN = "REMOTE_LOGIN",
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
}
export declare enum PeerOnlineState {
    ONLINE = "ONLINE",
    UNREACHABLE = "UNREACHABLE",
    OFFLINE = "OFFLINE"
}
export declare enum PeerSubscriptionOption {
    ONLINE_STATUS = "ONLINE_STATUS"
}
export declare enum MessageType {
    TEXT = "TEXT",
    RAW = "RAW",
    FILE = "FILE",
    IMAGE = "IMAGE"
}
export declare enum LocalInvitationState {
    IDLE = "IDLE",
    SENT_TO_REMOTE = "SENT_TO_REMOTE",
    RECEIVED_BY_REMOTE = "RECEIVED_BY_REMOTE",
    ACCEPTED_BY_REMOTE = "ACCEPTED_BY_REMOTE",
    REFUSED_BY_REMOTE = "REFUSED_BY_REMOTE",
    CANCELED = "CANCELED",
    FAILURE = "FAILURE"
}
export declare enum RemoteInvitationState {
    INVITATION_RECEIVED = "INVITATION_RECEIVED",
    ACCEPT_SENT_TO_LOCAL = "ACCEPT_SENT_TO_LOCAL",
    REFUSED = "REFUSED",
    ACCEPTED = "ACCEPTED",
    CANCELED = "CANCELED",
    FAILURE = "FAILURE"
}
export declare enum LocalInvitationFailureReason {
    UNKNOWN = "UNKNOWN",
    PEER_NO_RESPONSE = "PEER_NO_RESPONSE",
    INVITATION_EXPIRE = "INVITATION_EXPIRE",
    PEER_OFFLINE = "PEER_OFFLINE",
    NOT_LOGGEDIN = "NOT_LOGGEDIN"
}
export declare enum RemoteInvitationFailureReason {
    UNKNOWN = "UNKNOWN",
    PEER_OFFLINE = "PEER_OFFLINE",
    ACCEPT_FAILURE = "ACCEPT_FAILURE",
    INVITATION_EXPIRE = "INVITATION_EXPIRE"
}
/** Agora's numeric result codes, per operation. */
export declare const RtmErrorCode: {
    readonly LoginError: {
        readonly [name: string]: number;
    };
    readonly LogoutError: {
        readonly [name: string]: number;
    };
    readonly RenewTokenError: {
        readonly [name: string]: number;
    };
    readonly PeerMessageError: {
        readonly [name: string]: number;
    };
    readonly JoinChannelError: {
        readonly [name: string]: number;
    };
    readonly LeaveChannelError: {
        readonly [name: string]: number;
    };
    readonly ChannelMessageError: {
        readonly [name: string]: number;
    };
    readonly GetMembersError: {
        readonly [name: string]: number;
    };
    /** Includes cohost's ATTRIBUTE_OPERATION_ERR_REVISION_CONFLICT (200). */
    readonly AttributeOperationError: {
        readonly [name: string]: number;
    };
    readonly GetChannelMemberCountError: {
        readonly [name: string]: number;
    };
    readonly QueryPeersOnlineStatusError: {
        readonly [name: string]: number;
    };
    readonly PeerSubscriptionStatusError: {
        readonly [name: string]: number;
    };
    readonly UploadMediaError: {
        readonly [name: string]: number;
    };
    readonly DownloadMediaError: {
        readonly [name: string]: number;
    };
};
/** What every failed call rejects with: code is the operation's numeric RTM result code. */
export declare class RtmError extends Error {
    readonly code: number;
    /** "RtmError <NAME>", e.g. "RtmError TOO_OFTEN". */
    readonly name: string;
    readonly data?: {
        reason?: number;
    };
    constructor(code: number, message?: string, name?: string, data?: any);
}
export interface RtmTextMessage {
    text: string;
    messageType?: "TEXT";
}
export interface RtmRawMessage {
    rawMessage: Uint8Array;
    description?: string;
    messageType?: "RAW";
}
/** A file uploaded to the server's media store (kept seven days). */
export interface RtmFileMessage {
    messageType: "FILE";
    mediaId: string;
    size: number;
    fileName: string;
    description: string;
    thumbnail: Blob | undefined;
}
/** An image uploaded to the server's media store (kept seven days). */
export interface RtmImageMessage {
    messageType: "IMAGE";
    mediaId: string;
    size: number;
    fileName: string;
    description: string;
    thumbnail: Blob | undefined;
    width: number;
    height: number;
    thumbnailWidth: number;
    thumbnailHeight: number;
}
export type RtmMessage = RtmTextMessage | RtmRawMessage | RtmFileMessage | RtmImageMessage;
export interface MediaOperationProgress {
    currentSize: number;
    totalSize: number;
}
export interface MediaTransferHandler {
    cancelSignal?: AbortSignal;
    onOperationProgress?: (event: MediaOperationProgress) => void;
}
export interface ReceivedMessageProperties {
    serverReceivedTs: number;
    isOfflineMessage?: boolean;
}
export interface SendMessageOptions {
    enableOfflineMessaging?: boolean;
    enableHistoricalMessaging?: boolean;
}
export interface PeerMessageSendResult {
    /** true: the peer's SDK received it. false: the peer is offline (the message may be stored with enableOfflineMessaging). */
    hasPeerReceived: boolean;
}
export interface AttributesMap {
    [key: string]: string;
}
export interface ChannelAttributeProperties {
    value: string;
    lastUpdateUserId: string;
    lastUpdateTs: number;
    /** The channel's write counter at this key's last write (cohost extension). */
    revision: number;
}
export interface ChannelAttributes {
    [key: string]: ChannelAttributeProperties;
}
export interface ChannelAttributeOptions {
    enableNotificationToChannelMembers?: boolean;
    /** Compare-and-set (cohost extension): key → expected revision (0: must not exist). Fails with code 200 otherwise. */
    expectedRevisions?: {
        [key: string]: number;
    };
}
export interface RtmConfig {
    logFilter?: {
        level: number;
    };
    enableLogUpload?: boolean;
    enableCloudProxy?: boolean;
}
interface Emitter<Events> {
    on<E extends keyof Events>(event: E, listener: Events[E]): this;
    once<E extends keyof Events>(event: E, listener: Events[E]): this;
    off<E extends keyof Events>(event: E, listener: Events[E]): this;
    removeAllListeners<E extends keyof Events>(event?: E): this;
    listenerCount<E extends keyof Events>(event: E): number;
    listeners<E extends keyof Events>(event: E): Function[];
    rawListeners<E extends keyof Events>(event: E): Function[];
}
export interface RtmChannelEvents {
    ChannelMessage: (message: RtmMessage, memberId: string, messageProps: ReceivedMessageProperties) => void;
    MemberJoined: (memberId: string) => void;
    MemberLeft: (memberId: string) => void;
    AttributesUpdated: (attributes: ChannelAttributes) => void;
    MemberCountUpdated: (memberCount: number) => void;
}
export interface RtmChannel extends Emitter<RtmChannelEvents> {
    /** The metadata calls reject with an RtmError named NOT_SUPPORTED: use channel attributes. */
    getChannelMetadata(): Promise<RtmMetadata>;
    setChannelMetadata(items: RtmMetadataItem[], options?: any): Promise<void>;
    addChannelMetadata(items: RtmMetadataItem[], options?: any): Promise<void>;
    updateChannelMetadata(items: RtmMetadataItem[], options?: any): Promise<void>;
    deleteChannelMetadata(items?: RtmMetadataItem[], options?: any): Promise<void>;
    clearChannelMetadata(options?: any): Promise<void>;
    readonly channelId: string;
    join(): Promise<void>;
    leave(): Promise<void>;
    sendMessage(message: RtmMessage): Promise<void>;
    getMembers(): Promise<string[]>;
}
export interface LocalInvitationEvents {
    LocalInvitationReceivedByPeer: () => void;
    LocalInvitationAccepted: (response: string) => void;
    LocalInvitationRefused: (response: string) => void;
    LocalInvitationCanceled: () => void;
    LocalInvitationFailure: (reason: LocalInvitationFailureReason) => void;
}
export interface LocalInvitation extends Emitter<LocalInvitationEvents> {
    readonly calleeId: string;
    content: string;
    channelId: string;
    readonly response: string;
    readonly state: LocalInvitationState;
    send(): void;
    cancel(): void;
}
export interface RemoteInvitationEvents {
    RemoteInvitationAccepted: () => void;
    RemoteInvitationRefused: () => void;
    RemoteInvitationCanceled: (content: string) => void;
    RemoteInvitationFailure: (reason: RemoteInvitationFailureReason) => void;
}
export interface RemoteInvitation extends Emitter<RemoteInvitationEvents> {
    readonly callerId: string;
    readonly content: string;
    readonly channelId: string;
    response: string;
    readonly state: RemoteInvitationState;
    accept(): void;
    refuse(): void;
}
export interface RtmClientEvents {
    ConnectionStateChanged: (newState: ConnectionState, reason: ConnectionChangeReason) => void;
    MessageFromPeer: (message: RtmMessage, peerId: string, messageProps: ReceivedMessageProperties) => void;
    RemoteInvitationReceived: (remoteInvitation: RemoteInvitation) => void;
    PeersOnlineStatusChanged: (status: {
        [peerId: string]: PeerOnlineState;
    }) => void;
    TokenExpired: () => void;
    TokenPrivilegeWillExpire: () => void;
}
export interface RtmClient extends Emitter<RtmClientEvents> {
    /** Applies a new configuration (its logFilter). */
    updateConfig(config: RtmConfig): void;
    createMetadataItem(): RtmMetadataItem;
    /** The metadata calls reject with an RtmError named NOT_SUPPORTED: use attributes. */
    getUserMetadata(uid: string): Promise<RtmMetadata>;
    setLocalUserMetadata(items: RtmMetadataItem[], options?: any): Promise<void>;
    addLocalUserMetadata(items: RtmMetadataItem[], options?: any): Promise<void>;
    updateLocalUserMetadata(items: RtmMetadataItem[], options?: any): Promise<void>;
    deleteLocalUserMetadata(items?: RtmMetadataItem[], options?: any): Promise<void>;
    clearLocalUserMetadata(options?: any): Promise<void>;
    subscribeUserMetadata(uid: string): Promise<void>;
    unsubscribeUserMetadata(uid: string): Promise<void>;
    /** The connection state (cohost extension). */
    readonly connectionState: ConnectionState;
    login(options: {
        uid: string;
        token?: string;
    }): Promise<void>;
    logout(): Promise<void>;
    renewToken(token: string): Promise<void>;
    sendMessageToPeer(message: RtmMessage, peerId: string, options?: SendMessageOptions): Promise<PeerMessageSendResult>;
    createMessage<T extends RtmMessage>(message: T): T;
    /**
     * Uploads payload (at most 30 MB; at most 9 uploads at once; thumbnail +
     * fileName + description ≤ 32 KB) and resolves with the message referring to it.
     */
    createMediaMessageByUploading(payload: Blob, params?: {
        messageType?: "FILE";
        fileName?: string;
        description?: string;
        thumbnail?: Blob;
    }, transHandler?: MediaTransferHandler): Promise<RtmFileMessage>;
    createMediaMessageByUploading(payload: Blob, params?: {
        messageType?: "IMAGE";
        width?: number;
        height?: number;
        fileName?: string;
        description?: string;
        thumbnail?: Blob;
        thumbnailWidth?: number;
        thumbnailHeight?: number;
    }, transHandler?: MediaTransferHandler): Promise<RtmImageMessage>;
    /** The message of an earlier upload (checked to exist). */
    createMediaMessageByMediaId(mediaId: string, params?: {
        messageType?: "FILE" | "IMAGE";
        width?: number;
        height?: number;
        fileName?: string;
        description?: string;
        thumbnail?: Blob;
        thumbnailWidth?: number;
        thumbnailHeight?: number;
    }): Promise<RtmFileMessage | RtmImageMessage>;
    /** Downloads an upload (at most 9 downloads at once). */
    downloadMedia(mediaId: string, transHandler?: MediaTransferHandler): Promise<Blob>;
    queryPeersOnlineStatus(peerIds: string[]): Promise<{
        [peerId: string]: boolean;
    }>;
    subscribePeersOnlineStatus(peerIds: string[]): Promise<void>;
    unsubscribePeersOnlineStatus(peerIds: string[]): Promise<void>;
    queryPeersBySubscriptionOption(option: PeerSubscriptionOption): Promise<string[]>;
    createChannel(channelId: string): RtmChannel;
    getChannelMemberCount(channelIds: string[]): Promise<{
        [channelId: string]: number;
    }>;
    setChannelAttributes(channelId: string, attributes: AttributesMap, options?: ChannelAttributeOptions): Promise<void>;
    addOrUpdateChannelAttributes(channelId: string, attributes: AttributesMap, options?: ChannelAttributeOptions): Promise<void>;
    deleteChannelAttributesByKeys(channelId: string, attributeKeys: string[], options?: ChannelAttributeOptions): Promise<void>;
    clearChannelAttributes(channelId: string, options?: ChannelAttributeOptions): Promise<void>;
    getChannelAttributes(channelId: string): Promise<ChannelAttributes>;
    getChannelAttributesByKeys(channelId: string, attributeKeys: string[]): Promise<ChannelAttributes>;
    setLocalUserAttributes(attributes: AttributesMap): Promise<void>;
    addOrUpdateLocalUserAttributes(attributes: AttributesMap): Promise<void>;
    deleteLocalUserAttributesByKeys(attributeKeys: string[]): Promise<void>;
    clearLocalUserAttributes(): Promise<void>;
    getUserAttributes(userId: string): Promise<AttributesMap>;
    getUserAttributesByKeys(userId: string, attributeKeys: string[]): Promise<AttributesMap>;
    createLocalInvitation(calleeId: string): LocalInvitation;
    setParameters(params: any): void;
}
export interface IAgoraRTM {
    readonly VERSION: string;
    readonly BUILD: string;
    readonly ConnectionState: typeof ConnectionState;
    readonly ConnectionChangeReason: typeof ConnectionChangeReason;
    readonly PeerOnlineState: typeof PeerOnlineState;
    readonly PeerSubscriptionOption: typeof PeerSubscriptionOption;
    readonly MessageType: typeof MessageType;
    readonly LocalInvitationState: typeof LocalInvitationState;
    readonly RemoteInvitationState: typeof RemoteInvitationState;
    readonly LocalInvitationFailureReason: typeof LocalInvitationFailureReason;
    readonly RemoteInvitationFailureReason: typeof RemoteInvitationFailureReason;
    readonly RtmErrorCode: typeof RtmErrorCode;
    readonly RtmError: typeof RtmError;
    readonly LOG_FILTER_OFF: {
        level: number;
    };
    readonly LOG_FILTER_ERROR: {
        level: number;
    };
    readonly LOG_FILTER_WARNING: {
        level: number;
    };
    readonly LOG_FILTER_INFO: {
        level: number;
    };
    readonly LOG_FILTER_DEBUG: {
        level: number;
    };
    /** agora-rtm-sdk's prefix of the peer message that ends a call for its legacy SDKs. */
    readonly END_CALL_PREFIX: string;
    /** GLOBAL is accepted; a region throws NOT_SUPPORTED (cohost connects to the servers setServerURL names). */
    setArea(config: any): void;
    createInstance(appId: string, config?: RtmConfig): RtmClient;
    /**
     * Points the SDK at a cohost server other than the one it was loaded from, or at
     * several, tried in order when one does not answer
     * (cohost extension), e.g. AgoraRTM.setServerURL("https://rtc.example.com").
     */
    setServerURL(url: string | string[]): void;
    /** The cohost server the SDK talks to (cohost extension). */
    getServerURL(): string;
}
declare const AgoraRTM: IAgoraRTM;
export default AgoraRTM;
export declare const VERSION: string;
declare global {
    /** Defined by the classic script /sdk/cohost-rtm.js. */
    var AgoraRTM: IAgoraRTM;
}
/** A metadata item (agora-rtm-sdk 1.5), built by RtmClient.createMetadataItem. */
export interface RtmMetadataItem {
    key: string;
    value: string;
    revision: number;
    lastUpdateTs: number;
    lastUpdateUserId: string;
    setKey(key: string): void;
    setValue(value: string): void;
    setRevision(revision: number): void;
}
export interface RtmMetadata {
    majorRevision: number;
    items: RtmMetadataItem[];
}
/** The events of each object, by name. */
export declare namespace RtmEvents {
    type RtmClientEvents = import("./cohost-rtm").RtmClientEvents;
    type RtmChannelEvents = import("./cohost-rtm").RtmChannelEvents;
    type LocalInvitationEvents = import("./cohost-rtm").LocalInvitationEvents;
    type RemoteInvitationEvents = import("./cohost-rtm").RemoteInvitationEvents;
}
/** agora-rtm-sdk's numeric status codes are RtmErrorCode's here. */
export declare namespace RtmStatusCode {
    type LoginError = number;
    type PeerMessageError = number;
    type JoinChannelError = number;
    type ChannelMessageError = number;
    type AttributeOperationError = number;
}
