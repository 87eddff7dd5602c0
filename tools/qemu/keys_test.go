package qemu

import (
	"reflect"
	"testing"
)

func TestTextChords(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string
	}{
		{"Hi!\n", [][]string{{"shift", "h"}, {"i"}, {"shift", "1"}, {"ret"}}},
		{"ls -l /", [][]string{{"l"}, {"s"}, {"spc"}, {"minus"}, {"l"}, {"spc"}, {"slash"}}},
		{`a=B_"~`, [][]string{{"a"}, {"equal"}, {"shift", "b"}, {"shift", "minus"},
			{"shift", "apostrophe"}, {"shift", "grave_accent"}}},
		{"\t\b09", [][]string{{"tab"}, {"backspace"}, {"0"}, {"9"}}},
		{"", [][]string{}},
	}
	for _, tt := range tests {
		got, err := textChords(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("textChords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestTextChordsCoversPrintableASCII(t *testing.T) {
	for r := rune(' '); r <= '~'; r++ {
		chords, err := textChords(string(r))
		if err != nil || len(chords) != 1 {
			t.Errorf("textChords(%q) = %q, %v", r, chords, err)
		}
	}
}

func TestTextChordsRejects(t *testing.T) {
	for _, s := range []string{"é", "ok\x00", "\r"} {
		if got, err := textChords(s); err == nil {
			t.Errorf("textChords(%q) = %q; want error", s, got)
		}
	}
}
