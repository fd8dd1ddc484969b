// Resume links in Go, with the standard library only. Go 1.19 or later.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// SessionRecoveryToken is the seed's token: lowercase hex sha256(secret + "---" + entryID + "---" + expiresAt).
func SessionRecoveryToken(secret, entryID, expiresAt string) string {
	sum := sha256.Sum256([]byte(secret + "---" + entryID + "---" + expiresAt))
	return hex.EncodeToString(sum[:])
}

// ResumeLink adds the three parameters to your page's URL, URL-encoded (+01:00 becomes %2B01%3A00), before any
// #fragment, in the order token, entry_id, expires_at (url.Values.Encode would sort them).
func ResumeLink(resumeURL, token, entryID, expiresAt string) string {
	base, fragment, hasFragment := strings.Cut(resumeURL, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	link := base + sep + "token=" + url.QueryEscape(token) + "&entry_id=" + url.QueryEscape(entryID) + "&expires_at=" + url.QueryEscape(expiresAt)
	if hasFragment {
		link += "#" + fragment
	}
	return link
}

// Example: a 7-day link.
//   expiresAt := time.Now().UTC().Add(7 * 24 * time.Hour).Format("2006-01-02T15:04:05.000Z")
//   link := ResumeLink("https://www.example.com/flow", SessionRecoveryToken(os.Getenv("TOKEN_SIGNING_SECRET"), entryID, expiresAt), entryID, expiresAt)

// How CI checks this file (test/recipes/recipes.test.ts): "v1<TAB>secret<TAB>entry_id<TAB>expires_at<TAB>resume_url"
// lines on stdin, "token<TAB>url" out.
func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		f := strings.Split(in.Text(), "\t")
		if len(f) != 5 || f[0] != "v1" {
			continue
		}
		token := SessionRecoveryToken(f[1], f[2], f[3])
		fmt.Printf("%s\t%s\n", token, ResumeLink(f[4], token, f[2], f[3]))
	}
}
