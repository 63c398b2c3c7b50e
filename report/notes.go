package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"pinggu"
	"pinggu/scoring"
)

// assessmentRank is a unit's assessment rank, or why it has none.
func assessmentRank(a scoring.UnitAssessment) any {
	switch {
	case a.Rank > 0:
		return a.Rank
	case a.Incomplete():
		return "数据不完整"
	default:
		return "不排名（一票否决）"
	}
}

// overallText says in words what the overall score is.
func overallText(s pinggu.Scoring) string {
	o := s.Overall
	switch {
	case o == nil || o.Method == pinggu.OverallItems || o.Method == "":
		return "受访者所答各量表题得分的平均"
	case o.Method == pinggu.OverallQuestion:
		return "受访者对综合满意度题" + o.Question + "的得分"
	default:
		if len(o.Weights) == 0 {
			return "受访者各维度得分的平均（各维度权重相同）"
		}
		w, _ := json.Marshal(o.Weights)
		return "受访者各维度得分按权重" + string(w) + "的加权平均（未列出的维度权重为1）"
	}
}

// baselineText says what the scorecard is compared with.
func baselineText(sc *Scorecard) string {
	switch {
	case sc.Round.Baseline == "":
		return "本轮未指定对比轮次"
	case sc.Baseline == nil:
		return "对比轮次" + sc.Round.Baseline + "尚无最终结果，本表不作同比比较"
	default:
		return fmt.Sprintf("与%s（%s）的最终结果比较，见“同比变化”（其报告%s，输入指纹%s）", sc.Baseline.Title, sc.Baseline.Round, sc.Baseline.Report, sc.Baseline.Fingerprint)
	}
}

// weightingText says how respondents were weighted.
func weightingText(s pinggu.Scoring) string {
	w := s.Weighting
	switch {
	case w == nil:
		return "不加权（每位受访者权重为1）"
	case w.Raking():
		m, _ := json.Marshal(w.Margins)
		t := w.TrimOrDefault()
		return fmt.Sprintf("边际迭代加权（raking，迭代比例拟合）：按%s各自的人口边际占比 %s，在每个单位内迭代调整，直到各边际与目标之差小于1e-10；"+
			"权重截尾：每个权重限定在该单位平均权重的%g–%g倍之间，截尾后对其余权重重新迭代，最多50轮；缺少分层信息的答卷不计入加权估计；"+
			"单位内没有受访者的类别，其占比无法拟合，其余类别按比例放大并在“权重提示”中列出", strings.Join(w.Cells, "、"), m, t.Min, t.Max)
	default:
		m, _ := json.Marshal(w.Shares)
		return fmt.Sprintf("事后分层加权：按%s分层，w = N_h / n_h，人口占比 %s；缺少分层信息或所在分层无人口占比的答卷不计入加权估计；"+
			"单位内没有受访者的分层，其占比缺失，估计相当于在其余分层上按比例放大，并在“权重提示”中列出", strings.Join(w.Cells, "×"), m)
	}
}

// weightWarnings lists every unit with a share but no respondents, and
// every unit whose weights were trimmed.
func weightWarnings(sc *Scorecard) string {
	var parts []string
	for i, u := range sc.Units {
		r := sc.Results[i]
		if len(r.EmptyCells) > 0 {
			parts = append(parts, fmt.Sprintf("%s：分层%s有人口占比但无受访者", u.Name, strings.Join(r.EmptyCells, "、")))
		}
		if r.Trimmed {
			parts = append(parts, fmt.Sprintf("%s：权重经过截尾（设计效应%.3f）", u.Name, r.DesignEffect))
		}
	}
	if len(parts) == 0 {
		return "无"
	}
	return strings.Join(parts, "；")
}

// insufficientText lists the units below the minimum sample with their counts.
func insufficientText(sc *Scorecard) string {
	var parts []string
	for i, u := range sc.Units {
		if o := sc.Results[i].Overall; o.Insufficient {
			parts = append(parts, fmt.Sprintf("%s（答卷%d份，计入估计%d人，n_eff %.1f）", u.Name, sc.Results[i].Respondents, o.NScored, o.NEff))
		}
	}
	if len(parts) == 0 {
		return "无"
	}
	return strings.Join(parts, "；")
}

// dimensionsText is the dimension → questions map.
func dimensionsText(q *pinggu.Questionnaire) string {
	var order []string
	items := map[string][]string{}
	for _, qq := range q.Questions {
		if qq.Type == pinggu.Scale && qq.Dimension != "" {
			if _, ok := items[qq.Dimension]; !ok {
				order = append(order, qq.Dimension)
			}
			items[qq.Dimension] = append(items[qq.Dimension], qq.Code)
		}
	}
	if len(order) == 0 {
		return "问卷未设测评维度"
	}
	parts := make([]string, len(order))
	for i, d := range order {
		name := q.DimensionName(d)
		if name != d {
			name += "（" + d + "）"
		}
		parts[i] = name + "：" + strings.Join(items[d], "、")
	}
	return strings.Join(parts, "；")
}

func vetoRankText(rule string) string {
	switch rule {
	case pinggu.VetoRankUnranked:
		return "被一票否决的单位不参与排名"
	case pinggu.VetoRankKeep:
		return "被一票否决的单位仍按总分参与排名"
	default:
		return "被一票否决的单位排在本组其他单位之后，相互之间按总分排名"
	}
}

func gapsText(a *pinggu.AssessmentSettings) string {
	if a.AllowGaps {
		return "本轮允许带缺项定稿：有指标未录入的单位标注“数据不完整”，不参与排名；未录入的指标不计分"
	}
	return "最终结果要求每个适用指标都已录入，否则拒绝定稿；阶段性结果中有缺项的单位标注“数据不完整”，不参与排名"
}

// exclusionsText says per unit how many responses were excluded and why.
func exclusionsText(sc *Scorecard) string {
	var parts []string
	for _, u := range sc.Units {
		reasons := sc.Excluded[u.Code]
		if len(reasons) == 0 {
			continue
		}
		keys := make([]string, 0, len(reasons))
		for r := range reasons {
			keys = append(keys, r)
		}
		sort.Strings(keys)
		var rs []string
		for _, r := range keys {
			rs = append(rs, fmt.Sprintf("%s %d份", r, reasons[r]))
		}
		parts = append(parts, u.Name+"："+strings.Join(rs, "，"))
	}
	if len(parts) == 0 {
		return "无"
	}
	return strings.Join(parts, "；")
}
