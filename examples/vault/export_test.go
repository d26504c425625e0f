package vault

// RangeServer is rangeServer for the package's external tests.
var RangeServer = rangeServer
