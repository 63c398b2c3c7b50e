package store

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestTheStoreWritesNoWords: the words people read are made by the layers
// that talk to them (pinggu.ErrorMessage from an error's object and
// reason); no string literal of the store holds Chinese text.
func TestTheStoreWritesNoWords(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(name, -1, len(src)), src, nil, 0)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok == token.STRING && strings.ContainsFunc(lit, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("%s: %s", fset.Position(pos), lit)
			}
		}
	}
}
