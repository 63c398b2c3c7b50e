package pinggu

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestReadQuestionnaireText reads testdata/word-questionnaire.txt, a
// questionnaire as offices write it in Word and paste it: a title, a
// greeting, section headings, numbered questions with marks, options on
// their own lines or several to a line, full-width punctuation, a blank.
func TestReadQuestionnaireText(t *testing.T) {
	text, err := os.ReadFile("testdata/word-questionnaire.txt")
	if err != nil {
		t.Fatal(err)
	}
	q, notes := ReadQuestionnaireText(string(text))
	if q.Title != "2025年度法治政府建设群众满意度调查问卷" || !strings.HasPrefix(q.Intro, "尊敬的市民朋友：\n为了解") {
		t.Errorf("title %q intro %q", q.Title, q.Intro)
	}
	if len(q.Questions) != 14 {
		t.Fatalf("%d questions, want 14: %+v", len(q.Questions), q.Questions)
	}
	type want struct {
		code, text string
		typ        QuestionType
		required   bool
		options    string // code:label:score …
		section    string
	}
	for i, w := range []want{
		{"Q1", "您的性别：", Single, true, "1:男 2:女", "基本情况"},
		{"Q2", "您的年龄", Single, true, "1:18–29岁 2:30–39岁 3:40–49岁 4:50–59岁 5:60岁及以上", ""},
		{"Q3", "您的职业：", Single, false, "1:机关事业单位人员 2:企业职工 3:个体工商户 4:农民 5:学生 6:其他", ""},
		{"Q4", "您对本地政府依法全面履行职能的情况是否满意？", Scale, true, "5:很满意:100 4:满意:80 3:基本满意:60 2:不满意:40 1:很不满意:20 9:不清楚", "满意度评价"},
		{"Q5", "您对本地政务服务的便利程度是否满意？", Scale, true, "5:很满意:100 4:满意:80 3:基本满意:60 2:不满意:40 1:很不满意:20 9:不清楚", ""},
		{"Q6", "您对本地行政执法是否满意？", Scale, false, "5:非常满意:100 4:比较满意:80 3:一般:60 2:不太满意:40 1:非常不满意:20", ""},
		{"Q7", "您对本地政务公开工作是否满意？", Scale, true, "5:很满意:100 4:满意:80 3:基本满意:60 2:不满意:40 1:很不满意:20 9:不清楚", ""},
		{"Q8", "您对本地普法宣传是否满意？", Scale, false, "5:很满意:100 4:满意:80 3:基本满意:60 2:不满意:40 1:很不满意:20", ""},
		{"Q9", "您对本地社会治安是否满意？", Scale, false, "3:很满意:100 2:满意:67 1:不满意:34", ""},
		{"Q10", "请为本地法治政府建设总体打分", Rating, false, "", ""},
		{"Q11", "您认为最需要改进的方面是？", Multi, false, "1:政务服务效率 2:执法规范化 3:政务公开 4:其他", ""},
		{"Q12", "您获取法治信息的主要渠道是？", Multi, false, "1:电视 2:网络 3:报纸 4:宣传栏", ""},
		{"Q13", "您的居住地：", Single, false, "1:城区 2:农村", ""},
		{"Q14", "您对本地法治政府建设还有哪些意见和建议？", Text, false, "", "意见建议"},
	} {
		got := q.Questions[i]
		var opts []string
		for _, o := range got.Options {
			s := o.Code + ":" + o.Label
			if o.Score != nil {
				s += ":" + strconv.FormatFloat(*o.Score, 'f', -1, 64)
			}
			opts = append(opts, s)
		}
		if got.Code != w.code || got.Text != w.text || got.Type != w.typ || got.Required != w.required || strings.Join(opts, " ") != w.options || got.Section != w.section {
			t.Errorf("question %d = %s %q %s required=%v [%s] section %q\nwant %+v", i+1, got.Code, got.Text, got.Type, got.Required, strings.Join(opts, " "), got.Section, w)
		}
	}
	if q.Questions[11].MaxPicks != 2 {
		t.Errorf("Q12 maxPicks = %d", q.Questions[11].MaxPicks)
	}
	if len(notes) != 6 || !strings.Contains(notes[0], "第4题「您对本地政府依法全面履行…」识别为满意度量表，分值：很满意100、满意80") {
		t.Errorf("notes = %q", notes)
	}
	// The draft, given a code, is a valid questionnaire.
	q.Code = "fz2025"
	q.Normalize()
	if err := q.Validate(); err != nil {
		t.Errorf("draft does not validate: %v", err)
	}
}

// Boxed options, as questionnaires printed for ticking write them.
func TestReadQuestionnaireTextBoxes(t *testing.T) {
	q, _ := ReadQuestionnaireText("1. 您的性别：□男 □女\n2. 您对窗口服务是否满意？\n□很满意 □满意 □基本满意 □不满意 □很不满意\n")
	if len(q.Questions) != 2 || len(q.Questions[0].Options) != 2 || q.Questions[0].Options[1].Label != "女" ||
		q.Questions[1].Type != Scale || len(q.Questions[1].Options) != 5 {
		t.Fatalf("read %+v", q.Questions)
	}
}
