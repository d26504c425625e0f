package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func runColdStart(args []string) error {
	fs := flag.NewFlagSet("coldstart", flag.ContinueOnError)
	url := fs.String("url", "", "URL that answers 200 once the server is up")
	runs := fs.Int("runs", 5, "number of starts")
	limit := fs.Duration("timeout", time.Minute, "longest wait for one start")
	logName := fs.String("log", os.DevNull, "file for the server's output (appended)")
	dir := fs.String("dir", "", "working directory of the server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmdline := fs.Args()
	if *url == "" || len(cmdline) == 0 || *runs < 1 {
		return errors.New("coldstart: want -url URL [-runs N] -- COMMAND [ARG...]")
	}
	logf, err := os.OpenFile(*logName, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()

	// Stop the server we started when we are told to stop.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	client := &http.Client{Timeout: time.Second}
	var times []float64
	for range *runs {
		if alive(client, *url) {
			return fmt.Errorf("coldstart: %s answers before the server started: is another one running?", *url)
		}
		cmd := exec.Command(cmdline[0], cmdline[1:]...)
		cmd.Dir = *dir
		cmd.Stdout, cmd.Stderr = logf, logf
		exited := make(chan error, 1)
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		go func() { exited <- cmd.Wait() }()
		var up time.Duration
		for up == 0 {
			select {
			case err := <-exited:
				return fmt.Errorf("coldstart: %s exited before it answered: %v", cmdline[0], err)
			case <-sigs:
				stop(cmd, exited)
				return errors.New("coldstart: interrupted")
			default:
			}
			if alive(client, *url) {
				up = time.Since(t0)
				break
			}
			if time.Since(t0) > *limit {
				stop(cmd, exited)
				return fmt.Errorf("coldstart: %s did not answer within %s", *url, *limit)
			}
			time.Sleep(2 * time.Millisecond)
		}
		times = append(times, float64(up.Microseconds())/1000)
		stop(cmd, exited)
	}
	runsText := make([]string, len(times))
	for i, t := range times {
		runsText[i] = fmt.Sprintf("%.1f", t)
	}
	fmt.Printf("median_ms=%.1f runs_ms=%s\n", median(times), strings.Join(runsText, ","))
	return nil
}

func alive(client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop ends a started server: SIGTERM, then SIGKILL after 20 s.
func stop(cmd *exec.Cmd, exited <-chan error) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// median of xs (which it sorts); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}
