package pinggu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Questionnaires arrive as Word documents: a title, a greeting, section
// headings (一、基本情况), numbered questions (1. 您的性别：【必答】) and
// lettered or boxed options (A. 男  B. 女, □男 □女), on lines of their own
// or several to a line. ReadQuestionnaireText turns such text, pasted, into a draft.
var (
	textQuestionRe = regexp.MustCompile(`^\s*[（(]?(\d{1,3})\s*[\.．、)）:：]\s*(.+)$`)
	textOptionRe   = regexp.MustCompile(`(?:(?:^|\s)[A-Za-zＡ-Ｚ]\s*[\.．、)）:：]|[□☐○◯])\s*`)
	textSectionRe  = regexp.MustCompile(`^\s*(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十\d]+部分)\s*(.+)$`)
	textMarkRe     = regexp.MustCompile(`[【\[（(](必答|必填|单选|多选|可多选|限选\d+项|最多选\d+项|填空|简答|量表|0\s*[-–—~～至]\s*10\s*分|评分)[】\]）)]`)
	textBlankRe    = regexp.MustCompile(`[_＿]{3,}`)
	textPicksRe    = regexp.MustCompile(`(?:限选|最多选)(\d+)项`)
)

// unsureLabels are options of a satisfaction scale that carry no score.
var unsureLabels = []string{"不清楚", "不了解", "说不清", "不知道", "无法评价", "不好说"}

// scaleLabels mark a satisfaction scale: a question whose options are all
// of these (besides the unsure ones) becomes a scale question.
var scaleLabels = []string{"非常满意", "很满意", "满意", "比较满意", "基本满意", "一般", "不太满意", "不满意", "比较不满意", "很不满意", "非常不满意"}

// ReadQuestionnaireText reads a questionnaire as written in a document. It
// returns the draft and notes on what it guessed (scores, types) for the
// author to check; the draft still has to pass Validate.
func ReadQuestionnaireText(text string) (*Questionnaire, []string) {
	q := &Questionnaire{}
	var notes, intro []string
	var cur *Question
	section := ""
	for _, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line := strings.TrimSpace(strings.ReplaceAll(raw, "\u3000", " "))
		if line == "" {
			continue
		}
		if m := textQuestionRe.FindStringSubmatch(line); m != nil {
			q.Questions = append(q.Questions, Question{Code: "Q" + m[1], Section: section})
			cur, section = &q.Questions[len(q.Questions)-1], ""
			readQuestionLine(cur, m[2])
			continue
		}
		if m := textSectionRe.FindStringSubmatch(line); m != nil {
			section = strings.TrimSpace(m[1])
			continue
		}
		if cur != nil {
			if opts := splitOptions(line); len(opts) > 0 {
				for _, o := range opts {
					cur.Options = append(cur.Options, Option{Label: o})
				}
			} else if len(cur.Options) == 0 {
				cur.Help = strings.TrimSpace(cur.Help + " " + line)
			}
			continue
		}
		if q.Title == "" {
			q.Title = line
		} else {
			intro = append(intro, line)
		}
	}
	q.Intro = strings.Join(intro, "\n")
	seen := map[string]bool{}
	for i := range q.Questions {
		qq := &q.Questions[i]
		if seen[qq.Code] {
			qq.Code = fmt.Sprintf("Q%d", i+1)
			notes = append(notes, fmt.Sprintf("第%d题的题号与前面重复，编码改为%s", i+1, qq.Code))
		}
		seen[qq.Code] = true
		notes = append(notes, settleType(i+1, qq)...)
	}
	return q, notes
}

// readQuestionLine takes a question's text and its marks (【必答】【多选】…).
func readQuestionLine(q *Question, text string) {
	q.Type = Single
	for _, m := range textMarkRe.FindAllStringSubmatch(text, -1) {
		mark := strings.Join(strings.Fields(m[1]), "")
		switch {
		case mark == "必答" || mark == "必填":
			q.Required = true
		case mark == "多选" || mark == "可多选":
			q.Type = Multi
		case textPicksRe.MatchString(mark):
			q.Type = Multi
			q.MaxPicks, _ = strconv.Atoi(textPicksRe.FindStringSubmatch(mark)[1])
		case mark == "填空" || mark == "简答":
			q.Type = Text
		case mark == "量表":
			q.Type = Scale
		case mark == "评分" || strings.Contains(mark, "10"):
			q.Type = Rating
		}
	}
	text = textMarkRe.ReplaceAllString(text, "")
	if strings.HasSuffix(strings.TrimSpace(text), "*") {
		q.Required = true
		text = strings.TrimSuffix(strings.TrimSpace(text), "*")
	}
	if textBlankRe.MatchString(text) {
		q.Type = Text
		text = textBlankRe.ReplaceAllString(text, "")
	}
	// Options written on the question's own line: 您的性别：A.男 B.女
	if i := textOptionRe.FindStringIndex(text); i != nil && i[0] > 0 {
		if opts := splitOptions(text[i[0]:]); len(opts) > 1 {
			for _, o := range opts {
				q.Options = append(q.Options, Option{Label: o})
			}
			text = text[:i[0]]
		}
	}
	q.Text = strings.TrimSpace(text)
}

// splitOptions reads "A. 很满意 B. 满意" (or one option) into labels; a
// line that does not start with a letter and a mark is no option line.
func splitOptions(line string) []string {
	locs := textOptionRe.FindAllStringIndex(line, -1)
	if len(locs) == 0 || strings.TrimSpace(line[:locs[0][0]]) != "" {
		return nil
	}
	var out []string
	for k, l := range locs {
		end := len(line)
		if k+1 < len(locs) {
			end = locs[k+1][0]
		}
		label := strings.TrimSpace(textBlankRe.ReplaceAllString(line[l[1]:end], ""))
		if label != "" {
			out = append(out, label)
		}
	}
	return out
}

// settleType decides what the marks left open: options that read as a
// satisfaction scale make a scale with scores, a question without options
// a text question; codes are given. It returns what it guessed.
func settleType(n int, q *Question) []string {
	var notes []string
	switch {
	case q.Type == Rating:
		q.Options = nil
		return nil
	case len(q.Options) == 0 && q.Type != Text:
		q.Type = Text
		return []string{QuestionPlace(n, q.Text) + "没有识别到选项，已设为填空题"}
	case q.Type == Text:
		q.Options = nil
		return nil
	case q.Type == Single && isScale(q.Options):
		q.Type = Scale
	}
	if q.Type != Scale {
		for i := range q.Options {
			q.Options[i].Code = strconv.Itoa(i + 1)
		}
		return nil
	}
	scored := 0
	for _, o := range q.Options {
		if !unsure(o.Label) {
			scored++
		}
	}
	var scores []string
	k := 0
	for i := range q.Options {
		o := &q.Options[i]
		if unsure(o.Label) {
			o.Code = "9"
			continue
		}
		s := float64(100 - k*100/max(scored, 1))
		o.Code, o.Score = strconv.Itoa(scored-k), &s
		scores = append(scores, o.Label+strconv.FormatFloat(s, 'f', -1, 64))
		k++
	}
	notes = append(notes, QuestionPlace(n, q.Text)+"识别为满意度量表，分值："+strings.Join(scores, "、")+"，请核对")
	return notes
}

func isScale(opts []Option) bool {
	scored := 0
	for _, o := range opts {
		switch {
		case unsure(o.Label):
		case contains(scaleLabels, o.Label):
			scored++
		default:
			return false
		}
	}
	return scored >= 2
}

func unsure(label string) bool { return contains(unsureLabels, label) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// QuestionPlace names the n-th question for a person: 第3题「您对本地政务服…」
// (its first twelve characters).
func QuestionPlace(n int, text string) string {
	r := []rune(strings.TrimSpace(text))
	if len(r) > 12 {
		r = append(r[:12], '…')
	}
	return fmt.Sprintf("第%d题「%s」", n, string(r))
}
