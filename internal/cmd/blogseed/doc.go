// Command blogseed fills a running demo's blog with published posts
// through its public HTTP API (create, then publish), for load runs:
//
//	blogseed -url http://127.0.0.1:18091 -token TOKEN -n 10000 -c 16
//
// It prints the slug of the newest post.
package main
