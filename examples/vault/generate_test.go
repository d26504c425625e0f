package vault

import (
	"math"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	g, err := Generate(DefaultGenerate)
	if err != nil || len(g.Password) != 20 || math.Abs(g.Entropy-20*math.Log2(float64(len(symbolChars)+26+26+10-12))) > 0.01 {
		t.Fatalf("%+v %v", g, err)
	}
	if strings.ContainsAny(g.Password, lookAlikes) || !hasEach(g.Password, []string{lowerChars, upperChars, digitChars}) {
		t.Fatalf("password %q", g.Password)
	}
	d, err := Generate(GenerateOptions{Length: 12, Digits: true})
	if err != nil || strings.Trim(d.Password, digitChars) != "" || math.Abs(d.Entropy-12*math.Log2(10)) > 0.01 {
		t.Fatalf("digits: %+v %v", d, err)
	}
	w, err := Generate(GenerateOptions{Words: 5, Separator: "-"})
	if err != nil || len(strings.Split(w.Password, "-")) < 5 || math.Abs(w.Entropy-5*math.Log2(7776)) > 0.01 {
		t.Fatalf("words: %+v %v", w, err)
	}
	if len(words()) != 7776 {
		t.Fatalf("%d words", len(words()))
	}
	if _, err := Generate(GenerateOptions{Length: 10}); err == nil {
		t.Fatal("no classes accepted")
	}
	if _, err := Generate(GenerateOptions{Length: 2, Lower: true, Upper: true, Digits: true}); err == nil {
		t.Fatal("too short accepted")
	}
}

func TestStrength(t *testing.T) {
	if s := Strength("password"); s > 10 {
		t.Errorf("password: %v", s)
	}
	if s := Strength("aaaaaaaa"); s > 30 {
		t.Errorf("aaaaaaaa: %v", s)
	}
	if s := Strength("x7#Kq!2vLp@9Zr$w"); s < 80 {
		t.Errorf("strong: %v", s)
	}
}
