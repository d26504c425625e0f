package vault

import (
	"crypto/sha1" //nolint:gosec // the RFC's test vectors
	"encoding/base32"
	"testing"
	"time"
)

// TestTOTPVectors checks every test vector of RFC 6238, Appendix B, and
// RFC 4226's HOTP values.
func TestTOTPVectors(t *testing.T) {
	seed := []byte("12345678901234567890")
	keys := map[string][]byte{
		"SHA1":   seed,
		"SHA256": []byte("12345678901234567890123456789012"),
		"SHA512": []byte("1234567890123456789012345678901234567890123456789012345678901234"),
	}
	vectors := []struct {
		unix int64
		alg  string
		code string
	}{
		{59, "SHA1", "94287082"}, {59, "SHA256", "46119246"}, {59, "SHA512", "90693936"},
		{1111111109, "SHA1", "07081804"}, {1111111109, "SHA256", "68084774"}, {1111111109, "SHA512", "25091201"},
		{1111111111, "SHA1", "14050471"}, {1111111111, "SHA256", "67062674"}, {1111111111, "SHA512", "99943326"},
		{1234567890, "SHA1", "89005924"}, {1234567890, "SHA256", "91819424"}, {1234567890, "SHA512", "93441116"},
		{2000000000, "SHA1", "69279037"}, {2000000000, "SHA256", "90698825"}, {2000000000, "SHA512", "38618901"},
		{20000000000, "SHA1", "65353130"}, {20000000000, "SHA256", "77737706"}, {20000000000, "SHA512", "47863826"},
	}
	for _, v := range vectors {
		k := TOTP{Secret: keys[v.alg], Digits: 8, Period: 30 * time.Second, Algorithm: v.alg}
		if got, _ := k.Code(time.Unix(v.unix, 0)); got != v.code {
			t.Errorf("%s at %d: %s, want %s", v.alg, v.unix, got, v.code)
		}
	}
	hotpWant := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for i, want := range hotpWant {
		if got := hotp(sha1.New, seed, uint64(i), 6); got != want {
			t.Errorf("HOTP %d: %s, want %s", i, got, want)
		}
	}
}

func TestParseTOTP(t *testing.T) {
	b32 := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	k, err := ParseTOTP("  " + b32[:8] + " " + b32[8:])
	if err != nil || string(k.Secret) != "12345678901234567890" || k.Digits != 6 {
		t.Fatalf("base32: %+v %v", k, err)
	}
	code, left := k.Code(time.Unix(59, 0))
	if code != "287082" || left != time.Second {
		t.Fatalf("code %s, %v left", code, left)
	}
	u, err := ParseTOTP("otpauth://totp/Acme:ada?secret=" + b32 + "&digits=8&period=60&algorithm=sha256")
	if err != nil || u.Digits != 8 || u.Period != time.Minute || u.Algorithm != "SHA256" {
		t.Fatalf("uri: %+v %v", u, err)
	}
	if again, err := ParseTOTP(u.String()); err != nil || again.String() != u.String() {
		t.Fatalf("round trip: %v %v", again, err)
	}
	for _, bad := range []string{"", "not base32!", "JBSW", "otpauth://hotp/x?secret=" + b32, "otpauth://totp/x?secret=" + b32 + "&digits=3"} {
		if _, err := ParseTOTP(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
