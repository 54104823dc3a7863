package cohosttest

import (
	"net"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// Loopback returns Pion settings that keep a client's media on 127.0.0.1,
// where the test server is: loopback candidates over UDP4 only, no mDNS,
// no other interface. Give it as rtc.EngineConfig.SettingEngine; without
// it Pion gathers candidates on every interface, which may be unroutable
// on CI machines.
func Loopback() *webrtc.SettingEngine {
	se := &webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return se
}
