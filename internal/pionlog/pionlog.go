// Package pionlog sends Pion's logs to a *slog.Logger, one level down:
// Pion's warnings are mostly routine (a closed socket during shutdown), so
// its errors become slog warnings, its warnings info, its info debug, and
// its debug and trace output is dropped.
package pionlog

import (
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// Factory returns a Pion logger factory writing to log (nil discards).
func Factory(log *slog.Logger) logging.LoggerFactory {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return factory{log}
}

type factory struct{ log *slog.Logger }

func (f factory) NewLogger(scope string) logging.LeveledLogger {
	return logger{f.log.With("pion", scope)}
}

type logger struct{ log *slog.Logger }

func (l logger) Trace(string)              {}
func (l logger) Tracef(string, ...any)     {}
func (l logger) Debug(string)              {}
func (l logger) Debugf(string, ...any)     {}
func (l logger) Info(msg string)           { l.log.Debug(msg) }
func (l logger) Infof(f string, a ...any)  { l.log.Debug(fmt.Sprintf(f, a...)) }
func (l logger) Warn(msg string)           { l.log.Info(msg) }
func (l logger) Warnf(f string, a ...any)  { l.log.Info(fmt.Sprintf(f, a...)) }
func (l logger) Error(msg string)          { l.log.Warn(msg) }
func (l logger) Errorf(f string, a ...any) { l.log.Warn(fmt.Sprintf(f, a...)) }
