// Package walkthrough holds the browser test of the whole ecosystem in one
// continuous session, as a person would try it: sign in, launch Files,
// upload an image, launch the blog, write a post with that image chosen
// in the file picker, publish it, read it as a guest in a fresh browser
// context (the image loaded), sign out.
//
// The reference server (package demo) runs as `make run` runs it, on the
// embedded defaults in a fresh data folder; Chromium (WEBOS_TEST_CHROMIUM)
// is driven through chromedp. Each step saves a numbered screenshot in
// artifacts/browser/walkthrough/ at the repository root, and the session
// is recorded as Chromium screencast frames in frames/ there, with
// frames.ffconcat giving each frame its duration. `make walkthrough` runs
// the test and assembles the frames into walkthrough.mp4 with ffmpeg; the
// test itself needs no ffmpeg.
//
// The package has no code besides its test; run it with
//
//	go test ./examples/demo/walkthrough/
package walkthrough
