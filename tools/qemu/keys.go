package qemu

import "fmt"

// unshifted maps characters typed without shift to QEMU qcodes.
var unshifted = map[rune]string{
	' ': "spc", '\n': "ret", '\t': "tab", '\b': "backspace", 0x1b: "esc",
	'-': "minus", '=': "equal", '[': "bracket_left", ']': "bracket_right",
	'\\': "backslash", ';': "semicolon", '\'': "apostrophe", '`': "grave_accent",
	',': "comma", '.': "dot", '/': "slash",
}

// shifted maps characters typed with shift to the qcode of their key
// (US layout).
var shifted = map[rune]string{
	'!': "1", '@': "2", '#': "3", '$': "4", '%': "5",
	'^': "6", '&': "7", '*': "8", '(': "9", ')': "0",
	'_': "minus", '+': "equal", '{': "bracket_left", '}': "bracket_right",
	'|': "backslash", ':': "semicolon", '"': "apostrophe", '~': "grave_accent",
	'<': "comma", '>': "dot", '?': "slash",
}

// textChords turns text into send-key chords on a US keyboard: one chord
// per character, with "shift" first for upper case and shifted symbols.
// '\n' is "ret". It fails, before anything is typed, on a character that
// has no key.
func textChords(s string) ([][]string, error) {
	chords := make([][]string, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			chords = append(chords, []string{string(r)})
		case r >= 'A' && r <= 'Z':
			chords = append(chords, []string{"shift", string(r - 'A' + 'a')})
		case unshifted[r] != "":
			chords = append(chords, []string{unshifted[r]})
		case shifted[r] != "":
			chords = append(chords, []string{"shift", shifted[r]})
		default:
			return nil, fmt.Errorf("qemu: cannot type %q: no key for it", r)
		}
	}
	return chords, nil
}
