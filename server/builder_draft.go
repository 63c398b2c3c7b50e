package server

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"pinggu"
)

// readDraft reads the builder's fields: q.{i}.{field} per question,
// q.{i}.o.{j}.{code,label,score} per option, d.{k}.{code,name} per
// dimension. Empty option and dimension rows are left out; an option
// without a code gets its position. Scores that are no numbers come back
// as problems in words.
func readDraft(f url.Values) (*pinggu.Questionnaire, []string) {
	q := &pinggu.Questionnaire{Code: f.Get("code"), Title: f.Get("title"), Intro: f.Get("intro")}
	var problems []string
	for k := 0; f.Has(fmt.Sprintf("d.%d.code", k)); k++ {
		d := pinggu.Dimension{Code: strings.TrimSpace(f.Get(fmt.Sprintf("d.%d.code", k))), Name: strings.TrimSpace(f.Get(fmt.Sprintf("d.%d.name", k)))}
		if d.Code != "" || d.Name != "" {
			q.Dimensions = append(q.Dimensions, d)
		}
	}
	for i := 0; f.Has(fmt.Sprintf("q.%d.type", i)); i++ {
		get := func(field string) string { return f.Get(fmt.Sprintf("q.%d.%s", i, field)) }
		qq := pinggu.Question{Code: strings.TrimSpace(get("code")), Type: pinggu.QuestionType(get("type")), Text: get("text"),
			Help: get("help"), Section: get("section"), Required: get("required") == "on", Dimension: get("dimension")}
		if qq.Type != pinggu.Scale {
			qq.Dimension = ""
		}
		if n := strings.TrimSpace(get("maxpicks")); n != "" && qq.Type == pinggu.Multi {
			qq.MaxPicks, _ = strconv.Atoi(n)
		}
		if n := strings.TrimSpace(get("maxlength")); n != "" && qq.Type == pinggu.Text {
			qq.MaxLength, _ = strconv.Atoi(n)
		}
		if src := get("showif"); src != "" {
			qq.ShowIf = &pinggu.ShowIf{Question: src, In: strings.FieldsFunc(get("showin"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' })}
		}
		for j := 0; f.Has(fmt.Sprintf("q.%d.o.%d.label", i, j)); j++ {
			oget := func(field string) string { return strings.TrimSpace(get(fmt.Sprintf("o.%d.%s", j, field))) }
			o := pinggu.Option{Code: oget("code"), Label: oget("label")}
			if o.Label == "" && oget("score") == "" {
				continue
			}
			if o.Code == "" {
				o.Code = strconv.Itoa(j + 1)
			}
			if sc := oget("score"); sc != "" {
				v, err := strconv.ParseFloat(sc, 64)
				if err != nil {
					problems = append(problems, pinggu.QuestionPlace(i+1, qq.Text)+"选项「"+o.Label+"」：分值须是数字")
				} else {
					o.Score = &v
				}
			}
			if qq.Type == pinggu.Single || qq.Type == pinggu.Multi || qq.Type == pinggu.Scale {
				qq.Options = append(qq.Options, o)
			}
		}
		q.Questions = append(q.Questions, qq)
	}
	return q, problems
}

// fieldWords puts a questionnaire's field errors in words: "questions[2].
// options[5].score" becomes 第3题「您对…」选项「不清楚」的分值.
func fieldWords(q *pinggu.Questionnaire, fe pinggu.FieldErrors) []string {
	var out []string
	for _, e := range sortedFields(fe) {
		out = append(out, fieldPlace(q, e.Code)+"："+e.Message)
	}
	return out
}

var fieldNames = map[string]string{"code": "编码", "type": "题型", "text": "题目", "help": "说明", "section": "小标题",
	"dimension": "维度", "maxPicks": "最多选几项", "maxLength": "最大长度", "showIf": "显示条件", "question": "显示条件的题目",
	"in": "显示条件的选项", "options": "选项", "label": "文字", "score": "分值", "name": "名称", "title": "问卷标题",
	"intro": "问卷说明", "questions": "题目", "dimensions": "维度"}

func fieldPlace(q *pinggu.Questionnaire, path string) string {
	var i, j int
	var rest string
	switch {
	case scan(path, "questions[%d].options[%d].%s", &i, &j, &rest) && i < len(q.Questions) && j < len(q.Questions[i].Options):
		return fmt.Sprintf("%s选项「%s」的%s", questionPlace(q, i), q.Questions[i].Options[j].Label, fieldNames[rest])
	case scan(path, "questions[%d].showIf.%s", &i, &rest) && i < len(q.Questions):
		return questionPlace(q, i) + fieldNames[rest]
	case scan(path, "questions[%d].%s", &i, &rest) && i < len(q.Questions):
		return questionPlace(q, i) + fieldNames[rest]
	case scan(path, "dimensions[%d].%s", &i, &rest) && i < len(q.Dimensions):
		return fmt.Sprintf("第%d个维度「%s」的%s", i+1, q.Dimensions[i].Name, fieldNames[rest])
	}
	if n, ok := fieldNames[path]; ok {
		return n
	}
	return "问卷"
}

// scan is fmt.Sscanf that must read the whole path.
func scan(path, format string, args ...any) bool {
	format = strings.ReplaceAll(format, "%s", "%s\n")
	n, err := fmt.Sscanf(path+"\n", format, args...)
	return err == nil && n == len(args)
}

func questionPlace(q *pinggu.Questionnaire, i int) string {
	return pinggu.QuestionPlace(i+1, q.Questions[i].Text)
}
