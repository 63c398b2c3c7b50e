package report

import (
	"fmt"
	"strconv"
	"strings"

	"pinggu"
)

// print is what the scorecard's pages and properties say of it.
func (sc *Scorecard) print() Print {
	loc := sc.Round.Location()
	return Print{Title: sc.Round.Title, Subject: sc.subject(), Status: ResultStatus(sc.Final), Org: sc.Org, Created: sc.AsOf,
		Dated: "数据截至 " + sc.AsOf.In(loc).Format("2006-01-02 15:04") + "（" + pinggu.ZoneLabel(sc.Round.Timezone) + "）"}
}

func (sc *Scorecard) subject() string {
	if sc.Assessments != nil {
		return "考核结果"
	}
	return "满意度测评结果"
}

// cover is 封面: what the workbook is, of which round and units, on what
// sample, how final, and the method in a few lines, so the first printed
// page can be read on its own.
func (b *book) cover(sc *Scorecard, rk *Ranking) {
	sheet := b.newSheet("封面")
	b.check(b.f.SetCellStr(sheet, "A1", sc.Round.Title))
	b.check(b.f.SetCellStyle(sheet, "A1", "A1", b.st.title))
	b.check(b.f.SetCellStr(sheet, "A2", sc.subject()+"（"+ResultStatus(sc.Final)+"）"))
	b.check(b.f.SetCellStyle(sheet, "A2", "A2", b.st.title))
	loc := sc.Round.Location()
	s := sc.Round.Scoring.WithDefaults()
	excluded := 0
	for _, m := range sc.Excluded {
		for _, n := range m {
			excluded += n
		}
	}
	var groups []string
	for _, g := range rk.Groups {
		groups = append(groups, fmt.Sprintf("%s %d个", g, len(rk.Units[g])))
	}
	status := "正式结果：测评已结束，数字不再变化"
	if !sc.Final {
		status = "阶段性结果（未定稿）：测评仍在进行或尚待审定，数字会变化，不作为正式排名引用"
	}
	lines := [][2]string{
		{"评估轮次", sc.Round.Title},
		{"结果性质", status},
		{"测评单位", fmt.Sprintf("%d个（%s）", len(sc.Units), strings.Join(groups, "，"))},
		{"样本", fmt.Sprintf("计入答卷%d份，排除%d份（排除原因见“质量控制”和“说明”）", sc.Responses, excluded)},
		{"测评时间", sc.Round.OpensAt.In(loc).Format("2006年1月2日") + " 至 " + sc.Round.ClosesAt.In(loc).Format("2006年1月2日")},
		{"数据截至", sc.AsOf.In(loc).Format("2006年1月2日 15:04") + "（" + pinggu.ZoneLabel(sc.Round.Timezone) + "）"},
		{"编制单位", b.print.Org},
		{"方法摘要", coverMethod(sc, s)},
		{"各表内容", sheetGuide(sc)},
		{"核验", "输入指纹 " + sc.Fingerprint + "。据同时发布的原始数据和方法说明文件即可重算本表每个数字（见“说明”）。"},
	}
	b.lines(sheet, 4, 72, lines)
}

// coverMethod is the method in a few sentences; 说明 has it in full.
func coverMethod(sc *Scorecard, s pinggu.Scoring) string {
	t := fmt.Sprintf("综合满意度为%s，满分100分；得分 ≥ %g 计为满意。估计按%s计算，给出%s置信区间。"+
		"计入的受访者少于%d人的单位标注“样本不足”，不给出得分和排名。排名只在同一考核类别内进行，保留两位小数后相同的名次并列，"+
		"并给出排名区间和组内两两比较的显著性（Holm校正）。",
		overallText(s), s.SatisfiedThreshold, weightingShort(s), strconv.FormatFloat(sc.Method.Level*100, 'f', -1, 64)+"%", s.MinSample)
	if sc.Assessments != nil {
		t += "考核总分 = 指标基础分（折算到满分）+ 加分 − 扣分，对照等次下限定等次，一票否决的情形见“说明”。"
	}
	return t
}

// weightingShort names the weighting in a few words.
func weightingShort(s pinggu.Scoring) string {
	switch w := s.Weighting; {
	case w == nil:
		return "每份答卷同等权重"
	case w.Raking():
		return "按" + strings.Join(w.Cells, "、") + "的人口占比边际加权"
	default:
		return "按" + strings.Join(w.Cells, "×") + "的人口占比事后分层加权"
	}
}

// sheetGuide lists what each kind of sheet holds.
func sheetGuide(sc *Scorecard) string {
	parts := []string{"总表：全部单位的得分、满意率、区间和组内排名"}
	if sc.Assessments != nil {
		parts = append(parts, "考核排名-类别：总分、等次和各一级指标得分率")
	}
	if sc.Assessments == nil || sc.Responses > 0 {
		parts = append(parts, "排名-类别：满意度排名、图表和两两比较", "各单位表：综合、维度、题目和渠道的结果",
			"满意度明细：各题选项分布", "质量控制：标记和排除的答卷")
	} else {
		parts = append(parts, "各单位表：指标得分、自评与初审复核、加减分（本轮未开展群众满意度测评）")
	}
	if sc.Assessments != nil {
		parts = append(parts, "申诉处理：申诉及答复")
	}
	return strings.Join(append(parts, "说明：全部计算方法和常数"), "；")
}
