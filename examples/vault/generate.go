package vault

import (
	"crypto/rand"
	_ "embed"
	"errors"
	"math"
	"math/big"
	"strings"
	"sync"
	"unicode"
)

// effWordlist is the EFF's large wordlist for passphrases (7,776 words,
// CC BY 3.0, https://www.eff.org/dice).
//
//go:embed eff_large_wordlist.txt
var effWordlist string

var words = sync.OnceValue(func() []string { return strings.Fields(effWordlist) })

// Character classes of the generator.
const (
	lowerChars  = "abcdefghijklmnopqrstuvwxyz"
	upperChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digitChars  = "0123456789"
	symbolChars = "!#$%&*+-=?@^_~.,:;/()[]{}"
	lookAlikes  = "Il1O0o|`'\"S5B8Z2"
)

// GenerateOptions say what [Generate] makes: a password of Length
// characters from the chosen classes, or — with Words > 0 — a passphrase
// of that many words from the EFF wordlist.
type GenerateOptions struct {
	Length         int    `json:"length" validate:"min=0,max=256"`
	Lower          bool   `json:"lower"`
	Upper          bool   `json:"upper"`
	Digits         bool   `json:"digits"`
	Symbols        bool   `json:"symbols"`
	ExcludeSimilar bool   `json:"exclude_similar"`
	Words          int    `json:"words" validate:"min=0,max=20"`
	Separator      string `json:"separator" validate:"max=3"`
	Capitalize     bool   `json:"capitalize"`
}

// DefaultGenerate is what the generator makes when nothing is chosen: 20
// characters of every class, without look-alikes.
var DefaultGenerate = GenerateOptions{Length: 20, Lower: true, Upper: true, Digits: true, Symbols: true, ExcludeSimilar: true}

// Generated is a generated password with the entropy of the process that
// made it, in bits.
type Generated struct {
	Password string  `json:"password"`
	Entropy  float64 `json:"entropy_bits"`
}

// Generate makes a password or passphrase from crypto/rand. A password
// holds at least one character of each chosen class.
func Generate(o GenerateOptions) (Generated, error) {
	if o.Words > 0 {
		list := words()
		sep := o.Separator
		parts := make([]string, o.Words)
		for i := range parts {
			w := list[randInt(len(list))]
			if o.Capitalize {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			parts[i] = w
		}
		return Generated{Password: strings.Join(parts, sep), Entropy: float64(o.Words) * math.Log2(float64(len(list)))}, nil
	}
	if o.Length == 0 {
		o.Length = DefaultGenerate.Length
	}
	var classes []string
	for _, c := range []struct {
		on  bool
		set string
	}{{o.Lower, lowerChars}, {o.Upper, upperChars}, {o.Digits, digitChars}, {o.Symbols, symbolChars}} {
		if !c.on {
			continue
		}
		set := c.set
		if o.ExcludeSimilar {
			set = strings.Map(func(r rune) rune {
				if strings.ContainsRune(lookAlikes, r) {
					return -1
				}
				return r
			}, set)
		}
		classes = append(classes, set)
	}
	if len(classes) == 0 {
		return Generated{}, errors.New("choose at least one kind of character")
	}
	if o.Length < len(classes) || o.Length < 4 {
		return Generated{}, errors.New("too short for the kinds of character chosen")
	}
	all := strings.Join(classes, "")
	for {
		out := make([]byte, o.Length)
		for i := range out {
			out[i] = all[randInt(len(all))]
		}
		if hasEach(string(out), classes) {
			// Rejecting the passwords that miss a class costs less than a
			// bit at these lengths; the estimate ignores it.
			return Generated{Password: string(out), Entropy: float64(o.Length) * math.Log2(float64(len(all)))}, nil
		}
	}
}

func hasEach(s string, classes []string) bool {
	for _, c := range classes {
		if !strings.ContainsAny(s, c) {
			return false
		}
	}
	return true
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return int(v.Int64())
}

// Strength estimates the entropy of a password someone chose, in bits:
// its length times the size of the alphabet its characters come from,
// less for repeats and runs. A rough guide for the health report, not a
// cracking model.
func Strength(p string) float64 {
	if p == "" {
		return 0
	}
	var lower, upper, digit, other bool
	distinct := map[rune]bool{}
	n := 0
	var prev rune
	run := 0
	for _, r := range p {
		n++
		distinct[r] = true
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
		if r == prev || r == prev+1 {
			run++
		}
		prev = r
	}
	pool := 0
	for _, c := range []struct {
		on bool
		n  int
	}{{lower, 26}, {upper, 26}, {digit, 10}, {other, 33}} {
		if c.on {
			pool += c.n
		}
	}
	eff := float64(n - run/2)
	if d := float64(len(distinct)); d < eff {
		eff = (eff + d) / 2
	}
	bits := eff * math.Log2(float64(pool))
	if common[strings.ToLower(p)] {
		bits = math.Min(bits, 10)
	}
	return math.Round(bits*10) / 10
}

// common are passwords every cracking list starts with.
var common = map[string]bool{}

func init() {
	for _, p := range strings.Fields("123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster 112233 george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder taylor matrix welcome welcome1 password1 password123 admin admin123 changeme secret") {
		common[p] = true
	}
}
