package server

// IsLoopbackHost exposes isLoopbackHost to tests.
var IsLoopbackHost = isLoopbackHost
