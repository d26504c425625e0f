package auth_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/webos-go/webos/auth"
)

// BenchmarkHash measures one password hash with the OWASP parameters
// against hashing a token secret with SHA-256, the cost of every
// bearer-token lookup. ns/op of the argon2id runs is the time per hash.
func BenchmarkHash(b *testing.B) {
	b.Run("baseline-sha256-token", func(b *testing.B) {
		secret := auth.NewTokenSecret()
		for b.Loop() {
			_ = auth.HashToken(secret)
		}
	})
	b.Run("argon2id-hash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := auth.HashPassword("correct horse battery staple", auth.DefaultParams); err != nil {
				b.Fatal(err)
			}
		}
	})
	h, _ := auth.HashPassword("correct horse battery staple", auth.DefaultParams)
	b.Run("argon2id-verify", func(b *testing.B) {
		for b.Loop() {
			if ok, _ := auth.VerifyPassword("correct horse battery staple", h); !ok {
				b.Fatal("no match")
			}
		}
	})
}

// unthrottled turns the login throttle off for load measurements.
var unthrottled = auth.Throttle{MaxKeys: 1}

// BenchmarkLogin measures requests per second against the real server:
// GET /health (no auth, no database: the baseline), GET /auth/me with a
// bearer token (a token and a user lookup), and POST /auth/login (one
// argon2id verification and a token insert), from parallel clients.
func BenchmarkLogin(b *testing.B) {
	e := newEnv(b, envOptions{cfg: auth.Config{Throttle: unthrottled}})
	e.register("bench@example.com", "benchmark-password")
	s := e.login("bench@example.com", "benchmark-password")
	body, _ := json.Marshal(map[string]string{"email": "bench@example.com", "password": "benchmark-password"})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	run := func(b *testing.B, mk func() *http.Request, want int) {
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := client.Do(mk())
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	}
	b.Run("baseline-health", func(b *testing.B) {
		run(b, func() *http.Request {
			r, _ := http.NewRequest("GET", e.srv.URL+"/health", nil)
			return r
		}, 200)
	})
	b.Run("me-bearer", func(b *testing.B) {
		run(b, func() *http.Request {
			r, _ := http.NewRequest("GET", e.srv.URL+"/auth/me", nil)
			r.Header.Set("Authorization", "Bearer "+s.token)
			return r
		}, 200)
	})
	b.Run("me-cookie", func(b *testing.B) {
		run(b, func() *http.Request {
			r, _ := http.NewRequest("GET", e.srv.URL+"/auth/me", nil)
			r.AddCookie(s.cookie)
			return r
		}, 200)
	})
	b.Run("login", func(b *testing.B) {
		run(b, func() *http.Request {
			r, _ := http.NewRequest("POST", e.srv.URL+"/auth/login", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 200)
	})
}

// BenchmarkLoginFailure compares a wrong password for a known user with an
// unknown e-mail address: both verify one argon2id hash, so their times
// should be close (a ratio near 1).
func BenchmarkLoginFailure(b *testing.B) {
	e := newEnv(b, envOptions{cfg: auth.Config{Throttle: unthrottled}})
	e.register("known@example.com", "benchmark-password")
	for _, c := range []struct{ name, email string }{
		{"wrong-password", "known@example.com"},
		{"unknown-email", "unknown@example.com"},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				body, _ := json.Marshal(map[string]string{"email": c.email, "password": "wrong-password-" + strconv.Itoa(i)})
				resp, err := http.Post(e.srv.URL+"/auth/login", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}

// BenchmarkAuthorizeBearer measures the authenticated path every guarded
// request takes — identify the user from a bearer token, then check a
// permission — against the real store, MongoDB and the embedded SQLite one,
// without HTTP around it. The "uncached" runs turn the credential cache off
// (CredentialCacheTTL < 0): they are the baseline, one token and one user
// read per request, that the cached runs are compared with.
func BenchmarkAuthorizeBearer(b *testing.B) {
	for _, store := range []struct {
		name   string
		sqlite bool
	}{{"mongo", false}, {"sqlite", true}} {
		for _, c := range []struct {
			name string
			ttl  time.Duration
		}{{"uncached", -1}, {"cached", 0}} {
			b.Run(store.name+"/"+c.name, func(b *testing.B) {
				e := newEnv(b, envOptions{sqlite: store.sqlite, cfg: auth.Config{Throttle: unthrottled, CredentialCacheTTL: c.ttl}})
				s := e.admin()
				az := e.auth.Authorizer()
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					r := httptest.NewRequest("GET", "/notes", nil)
					r.Header.Set("Authorization", "Bearer "+s.token)
					r, err := az.Identify(httptest.NewRecorder(), r)
					if err != nil {
						b.Fatal(err)
					}
					if err := az.Authorize(r.Context(), auth.PermUsersRead); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRegister compares registering a free address with registering
// one that has an account: both validate, hash the password once and try
// one insert, so their times should be close (a ratio near 1) and the
// answer's timing does not tell who has an account.
func BenchmarkRegister(b *testing.B) {
	e := newEnv(b, envOptions{cfg: auth.Config{Registration: auth.RegistrationOpen, Throttle: unthrottled}})
	e.register("known@example.com", "benchmark-password")
	for _, c := range []struct {
		name  string
		email func(i int) string
	}{
		{"taken", func(int) string { return "known@example.com" }},
		{"free", func(i int) string { return "new-" + strconv.Itoa(i) + "-" + auth.NewTokenSecret()[:8] + "@example.com" }},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				body, _ := json.Marshal(map[string]string{"email": c.email(i), "password": "benchmark-password"})
				resp, err := http.Post(e.srv.URL+"/auth/register", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
