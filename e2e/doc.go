// Package e2e holds end-to-end tests of whole user flows: a real cohost
// server in-process on 127.0.0.1, driven through the public Go SDKs (rtc
// and rtm) as an application would.
package e2e
