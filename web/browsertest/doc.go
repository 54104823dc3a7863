// Package browsertest proves the Web SDK and the seed flows in a real
// browser: its tests start a cohost server in-process and drive Debian's
// chromium (headless, fake camera and microphone, one browser process with
// a tab per user) through chromedp.
//
// Without chromium the tests are skipped with a message, except when the
// CI environment variable is set: then they fail.
package browsertest
