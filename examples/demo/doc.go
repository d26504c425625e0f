// Package demo composes the WebOS reference server from the SDK's packages
// and the demo apps. The webos-demo binary is a thin main around [NewApp];
// tests use NewApp to run the very same server.
package demo
