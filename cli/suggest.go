package cli

import "strings"

// editDistance is the Damerau–Levenshtein distance of a and b (optimal string alignment):
// the fewest insertions, deletions, substitutions and swaps of two adjacent runes that turn a
// into b.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// d[i][j]: the distance of s[:i] and t[:j]; three rows suffice for the swap.
	prev2, prev, cur := make([]int, len(t)+1), make([]int, len(t)+1), make([]int, len(t)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(s); i++ {
		cur[0] = i
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(t)]
}

// suggest returns the candidates nearest to word by editDistance, in their order, or none when
// none is close enough to be a slip: at most 2 edits, and at most a third of the longer word's
// length (one edit for words of up to 5 letters), so that a short word is not "corrected" into
// an unrelated one. Equally near candidates are all returned (-sample: -sampler and -samples).
func suggest(word string, candidates []string) []string {
	var best []string
	bestD := 0
	for _, c := range candidates {
		if c == word {
			continue
		}
		n := max(len([]rune(word)), len([]rune(c)))
		d := editDistance(word, c)
		switch {
		case d > min(2, max(1, n/3)):
		case len(best) == 0 || d < bestD:
			best, bestD = []string{c}, d
		case d == bestD:
			best = append(best, c)
		}
	}
	return best
}

// didYouMean is "; did you mean PREFIX+s?" for the suggestions s of word among candidates
// ("-a or -b" for two), or "" without one.
func didYouMean(prefix, word string, candidates []string) string {
	s := suggest(word, candidates)
	if len(s) == 0 {
		return ""
	}
	for i := range s {
		s[i] = prefix + s[i]
	}
	last := s[len(s)-1]
	if len(s) == 1 {
		return "; did you mean " + last + "?"
	}
	return "; did you mean " + strings.Join(s[:len(s)-1], ", ") + " or " + last + "?"
}
