package report

import (
	"strconv"
	"strings"

	"pinggu"
)

// columnKind is how the .xlsx writes a raw-export column.
type columnKind uint8

const (
	textColumn columnKind = iota
	numberColumn
	timeColumn
)

// codesKind: a one-answer question's codes are numbers when every option's
// code is one (1–5 scales), so they can be averaged and sorted as such.
func codesKind(q pinggu.Question) columnKind {
	for _, o := range q.Options {
		if _, err := strconv.ParseFloat(o.Code, 64); err != nil {
			return textColumn
		}
	}
	return numberColumn
}

// codebook is 变量说明: every column of the export with what it holds, and
// every question with its text, type, options, codes and scores, so the
// data can be read without the questionnaire at hand.
func (b *book) codebook(x *Raw) {
	sheet := b.titled("变量说明", "原始数据变量说明")
	b.header(sheet, 2, []string{"变量", "说明", "类型", "取值编码", "取值标签", "分值"}, []int{12, 50, 10, 8, 20, 6})
	row := 3
	put := func(vals ...any) {
		b.row(sheet, row, vals, []int{0, b.st.wrap, 0, 0, b.st.wrap})
		row++
	}
	channels := make([]string, 0, len(pinggu.Channels))
	for _, c := range pinggu.Channels {
		channels = append(channels, pinggu.ChannelLabel(c))
	}
	put("答卷编号", "每份答卷在本轮内唯一的编号（随机生成，与受访者身份无关）", "文本")
	put("单位编码", "被测评单位的编码", "文本")
	put("单位", "被测评单位的名称", "文本")
	put("渠道", "答卷的收集方式："+strings.Join(channels, "、"), "文本")
	put("来源标记", "链接或二维码上的来源标记（如投放地点），无则为空", "文本")
	put("提交时间", "答卷提交的时间（"+pinggu.ZoneLabel(x.Round.Timezone)+"）", "日期时间")
	put("用时(秒)", "从打开问卷到提交的秒数；离线导入的答卷为空", "数值")
	for _, q := range x.Questionnaire.Questions {
		about := q.Text
		if q.Dimension != "" {
			about += "（维度：" + x.Questionnaire.DimensionName(q.Dimension) + "）"
		}
		if q.ShowIf != nil {
			about += "（仅当" + q.ShowIf.Question + "选" + strings.Join(q.ShowIf.In, "或") + "时显示，其余为空）"
		}
		switch q.Type {
		case pinggu.Single, pinggu.Multi, pinggu.Scale:
			kind := "数值"
			if codesKind(q) == textColumn || q.Type == pinggu.Multi {
				kind = "文本"
			}
			if q.Type == pinggu.Multi {
				about += "；多选，所选编码以;分隔"
			}
			put(q.Code, pinggu.TypeLabel(q.Type)+"："+about, kind)
			for _, o := range q.Options {
				score := any("")
				if q.Type == pinggu.Scale {
					score = "不计分"
					if o.Score != nil {
						score = *o.Score
					}
				}
				put("", "", "", o.Code, o.Label, score)
			}
			put(q.Code+"_选项", q.Code+"所选选项的文字", "文本")
		case pinggu.Rating:
			put(q.Code, pinggu.TypeLabel(q.Type)+"："+about, "数值", "0–10")
		default:
			put(q.Code, pinggu.TypeLabel(q.Type)+"："+about, "文本")
		}
	}
	put("排除", "“是”表示该答卷被排除，不计入任何估计", "文本")
	put("排除原因", "排除的理由（评估人员填写）", "文本")
	flags := make([]string, len(pinggu.QualityFlags))
	for i, f := range pinggu.QualityFlags {
		flags[i] = f.Label
	}
	put("质量标记", "自动质量检查的标记，以；分隔："+strings.Join(flags, "、")+"；标记本身不排除答卷", "文本")
	if x.Tally == nil {
		return
	}
	for _, q := range x.Questionnaire.Questions {
		if q.Type == pinggu.Scale {
			put(q.Code+"_得分", q.Code+"所选选项的分值；不清楚或未答为空", "数值")
		}
	}
	for _, d := range x.Tally.Dimensions() {
		put("维度得分_"+d, "维度“"+x.Questionnaire.DimensionName(d)+"”的得分：该受访者在此维度所答量表题得分的平均", "数值")
	}
	put("综合得分", "受访者的综合满意度得分（算法见结果表“说明”）", "数值")
	put("加权分层", "受访者所在的加权分层；不加权时为空", "文本")
	put("权重", "该答卷在估计中的权重；被排除或缺少分层信息时为0", "数值")
}
