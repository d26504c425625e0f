// Command notes serves the standard WebOS stack and the notes app: go run
// it with no service installed and open http://127.0.0.1:8080.
package main
