package pinggu

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// QuestionType is the kind of a question; it decides the input and the rules.
type QuestionType string

// Question types of a questionnaire.
const (
	Single QuestionType = "single" // one option
	Multi  QuestionType = "multi"  // several options, optionally at most MaxPicks
	Scale  QuestionType = "scale"  // a 5-point satisfaction scale; options carry a score, 不清楚 none
	Rating QuestionType = "rating" // an integer from 0 to 10
	Text   QuestionType = "text"   // free text up to MaxLength characters
)

// TypeLabel names a question type in words.
func TypeLabel(t QuestionType) string {
	if l, ok := map[QuestionType]string{Single: "单选题", Multi: "多选题", Scale: "量表题", Rating: "0–10分评分题", Text: "填空题"}[t]; ok {
		return l
	}
	return string(t)
}

// Limits that keep a questionnaire and its answers small enough for a phone.
const (
	MaxQuestions      = 200
	MaxOptions        = 50
	DefaultTextLength = 500
	MaxTextLength     = 5000
	RatingMin         = 0
	RatingMax         = 10
)

var (
	codeRe       = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	questionRe   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,19}$`)
	optionCodeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)
)

// reservedFields are form field names the survey page uses itself.
var reservedFields = map[string]bool{"sid": true, "issued": true, "channel": true, "website": true, "code": true, "tag": true}

// Option is one choice of a single, multi or scale question. On a scale
// question Score is the option's points; an option without a score (不清楚)
// is a valid answer that is left out of every denominator.
type Option struct {
	Code  string   `json:"code" bson:"code"`
	Label string   `json:"label" bson:"label"`
	Score *float64 `json:"score,omitempty" bson:"score"`
}

// ShowIf shows a question only when an earlier single or scale question was
// answered with one of the codes in In.
type ShowIf struct {
	Question string   `json:"question" bson:"question"`
	In       []string `json:"in" bson:"in"`
}

// Question is one item of a questionnaire.
type Question struct {
	Code      string       `json:"code" bson:"code"`
	Type      QuestionType `json:"type" bson:"type"`
	Text      string       `json:"text" bson:"text"`
	Help      string       `json:"help,omitempty" bson:"help"`
	Section   string       `json:"section,omitempty" bson:"section"` // a heading shown above the question (一、基本情况)
	Required  bool         `json:"required,omitempty" bson:"required"`
	Dimension string       `json:"dimension,omitempty" bson:"dimension"`
	Options   []Option     `json:"options,omitempty" bson:"options"`
	MaxPicks  int          `json:"maxPicks,omitempty" bson:"maxpicks"`
	MaxLength int          `json:"maxLength,omitempty" bson:"maxlength"`
	ShowIf    *ShowIf      `json:"showIf,omitempty" bson:"showif"`
}

// Dimension names a dimension code in words: every sheet and page shows the
// name, the code stays in formulas and settings.
type Dimension struct {
	Code string `json:"code" bson:"code"`
	Name string `json:"name" bson:"name"`
}

// Questionnaire is a versioned list of questions. A round freezes the version
// it uses, so editing a questionnaire creates a new version.
type Questionnaire struct {
	Code       string      `json:"code"`
	Version    int         `json:"version"`
	Title      string      `json:"title"`
	Intro      string      `json:"intro,omitempty"`
	Dimensions []Dimension `json:"dimensions,omitempty"`
	Questions  []Question  `json:"questions"`
	CreatedAt  time.Time   `json:"createdAt"`
}

// DimensionName is a dimension's name, or its code when it has none
// (questionnaires written before dimensions had names).
func (q *Questionnaire) DimensionName(code string) string {
	for _, d := range q.Dimensions {
		if d.Code == code && d.Name != "" {
			return d.Name
		}
	}
	return code
}

// Question returns the question with the given code, or nil.
func (q *Questionnaire) Question(code string) *Question {
	for i := range q.Questions {
		if q.Questions[i].Code == code {
			return &q.Questions[i]
		}
	}
	return nil
}

// HasDimension reports whether a scale question maps to dimension d.
func (q *Questionnaire) HasDimension(d string) bool {
	for i := range q.Questions {
		if q.Questions[i].Dimension == d {
			return true
		}
	}
	return false
}

// HasOption reports whether code is one of the question's options.
func (q *Question) HasOption(code string) bool {
	return q.Option(code) != nil
}

// Option returns the option with the given code, or nil.
func (q *Question) Option(code string) *Option {
	for i := range q.Options {
		if q.Options[i].Code == code {
			return &q.Options[i]
		}
	}
	return nil
}

// TextLimit is the maximum length in characters of a text answer.
func (q *Question) TextLimit() int {
	if q.MaxLength > 0 {
		return q.MaxLength
	}
	return DefaultTextLength
}

// Normalize trims the free-text fields so that stored questionnaires are clean.
func (q *Questionnaire) Normalize() {
	q.Code = strings.TrimSpace(q.Code)
	q.Title = strings.TrimSpace(q.Title)
	q.Intro = strings.TrimSpace(q.Intro)
	for i := range q.Dimensions {
		q.Dimensions[i].Code = strings.TrimSpace(q.Dimensions[i].Code)
		q.Dimensions[i].Name = strings.TrimSpace(q.Dimensions[i].Name)
	}
	for i := range q.Questions {
		qq := &q.Questions[i]
		qq.Code = strings.TrimSpace(qq.Code)
		qq.Text = strings.TrimSpace(qq.Text)
		qq.Section = strings.TrimSpace(qq.Section)
		for j := range qq.Options {
			qq.Options[j].Code = strings.TrimSpace(qq.Options[j].Code)
			qq.Options[j].Label = strings.TrimSpace(qq.Options[j].Label)
		}
	}
}

// Validate checks the whole questionnaire and names every field that is wrong.
func (q *Questionnaire) Validate() error {
	fe := FieldErrors{}
	if !codeRe.MatchString(q.Code) {
		fe.Add("code", "编码须为1–40位小写字母、数字、-或_，以字母或数字开头")
	}
	checkText(fe, "title", q.Title, 200, true)
	checkText(fe, "intro", q.Intro, 2000, false)
	switch {
	case len(q.Questions) == 0:
		fe.Add("questions", "至少需要一道题")
	case len(q.Questions) > MaxQuestions:
		fe.Add("questions", fmt.Sprintf("题目不能超过%d道", MaxQuestions))
	}
	named := map[string]bool{}
	for i, d := range q.Dimensions {
		path := fmt.Sprintf("dimensions[%d]", i)
		switch {
		case !codeRe.MatchString(d.Code):
			fe.Add(path+".code", "维度编码须为1–40位小写字母、数字、-或_")
		case named[d.Code]:
			fe.Add(path+".code", fmt.Sprintf("维度编码%q重复", d.Code))
		}
		named[d.Code] = true
		checkText(fe, path+".name", d.Name, 40, true)
	}
	seen := map[string]int{}
	for i := range q.Questions {
		qq := &q.Questions[i]
		path := fmt.Sprintf("questions[%d]", i)
		if first, dup := seen[qq.Code]; dup {
			fe.Add(path+".code", fmt.Sprintf("题目编码%q与第%d题重复", qq.Code, first+1))
		} else {
			seen[qq.Code] = i
		}
		validateQuestion(fe, path, qq)
		if qq.Dimension != "" && len(q.Dimensions) > 0 && !named[qq.Dimension] {
			fe.Add(path+".dimension", fmt.Sprintf("维度%q不在维度列表中，请先添加并命名", qq.Dimension))
		}
		if qq.ShowIf != nil {
			validateShowIf(fe, path+".showIf", qq.ShowIf, q.Questions[:i])
		}
	}
	return fe.Err("问卷内容有误")
}

func validateQuestion(fe FieldErrors, path string, q *Question) {
	if !questionRe.MatchString(q.Code) || reservedFields[q.Code] {
		fe.Add(path+".code", "题目编码须以字母开头，由1–20位字母、数字或_组成，且不能是sid、issued、channel")
	}
	checkText(fe, path+".text", q.Text, 500, true)
	checkText(fe, path+".help", q.Help, 500, false)
	checkText(fe, path+".section", q.Section, 40, false)
	switch q.Type {
	case Single, Multi, Scale:
		validateOptions(fe, path, q)
	case Rating:
		if len(q.Options) > 0 {
			fe.Add(path+".options", "0–10分评分题不设选项")
		}
	case Text:
		if len(q.Options) > 0 {
			fe.Add(path+".options", "填空题不设选项")
		}
		if q.MaxLength < 0 || q.MaxLength > MaxTextLength {
			fe.Add(path+".maxLength", fmt.Sprintf("最大长度须在1–%d之间", MaxTextLength))
		}
	default:
		fe.Add(path+".type", "题型须为single、multi、scale、rating或text")
	}
	if q.Type != Multi && q.MaxPicks != 0 {
		fe.Add(path+".maxPicks", "只有多选题可以设置最多选几项")
	}
	if q.Type != Text && q.MaxLength != 0 {
		fe.Add(path+".maxLength", "只有填空题可以设置最大长度")
	}
	if q.Dimension != "" && (q.Type != Scale || !codeRe.MatchString(q.Dimension)) {
		fe.Add(path+".dimension", "测评维度只能设在量表题上，编码为小写字母、数字、-或_")
	}
}

func validateOptions(fe FieldErrors, path string, q *Question) {
	if len(q.Options) < 2 || len(q.Options) > MaxOptions {
		fe.Add(path+".options", fmt.Sprintf("选项须有2–%d个", MaxOptions))
		return
	}
	seen := map[string]bool{}
	scored := 0
	for j, o := range q.Options {
		op := fmt.Sprintf("%s.options[%d]", path, j)
		if !optionCodeRe.MatchString(o.Code) {
			fe.Add(op+".code", "选项编码须为1–20位字母、数字、-或_")
		} else if seen[o.Code] {
			fe.Add(op+".code", fmt.Sprintf("选项编码%q重复", o.Code))
		}
		seen[o.Code] = true
		checkText(fe, op+".label", o.Label, 200, true)
		if o.Score != nil {
			if q.Type != Scale {
				fe.Add(op+".score", "只有量表题的选项可以设置分值")
			} else if *o.Score < 0 || *o.Score > 100 {
				fe.Add(op+".score", "分值须在0–100之间")
			}
			scored++
		}
	}
	if q.Type == Scale && scored < 2 {
		fe.Add(path+".options", "量表题至少要有两个带分值的选项（不清楚不带分值）")
	}
	if q.Type == Multi && (q.MaxPicks < 0 || q.MaxPicks > len(q.Options)) {
		fe.Add(path+".maxPicks", fmt.Sprintf("最多选几项须在1–%d之间，0表示不限", len(q.Options)))
	}
}

func validateShowIf(fe FieldErrors, path string, s *ShowIf, earlier []Question) {
	var src *Question
	for i := range earlier {
		if earlier[i].Code == s.Question {
			src = &earlier[i]
		}
	}
	switch {
	case src == nil:
		fe.Add(path+".question", fmt.Sprintf("显示条件须引用本题之前的题目，%q不在本题之前", s.Question))
	case src.Type != Single && src.Type != Scale:
		fe.Add(path+".question", "显示条件只能引用单选题或量表题")
	case len(s.In) == 0:
		fe.Add(path+".in", "显示条件至少要列出一个选项编码")
	default:
		for _, c := range s.In {
			if !src.HasOption(c) {
				fe.Add(path+".in", fmt.Sprintf("选项%q不是题目%s的选项", c, src.Code))
			}
		}
	}
}

func checkText(fe FieldErrors, field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		fe.Add(field, "不能为空")
	case !utf8.ValidString(s):
		fe.Add(field, "含有无效字符")
	case utf8.RuneCountInString(s) > max:
		fe.Add(field, fmt.Sprintf("不能超过%d个字", max))
	}
}
