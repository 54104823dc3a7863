// What the SDK attaches to browser objects.
interface RTCRtpTransceiver {
  /** the local track this transceiver sends (RTC SDK) */
  _cohostTrack?: any;
}
