// Package demo loads a realistic sample into an empty (or earlier demo)
// installation: the units of a prefecture-level city, a 2024 satisfaction
// questionnaire on law-based government, an open round, and a few hundred
// responses submitted through the same validation as real ones. Loading twice
// changes nothing: every object and response has a fixed code.
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"pinggu"
	"pinggu/catalog"
	"pinggu/rounds"
	"pinggu/survey"
)

// RoundCode is the demo round.
const RoundCode = "fz2024-myd"

// Units are ten 县(市、区) and functional zones and five city departments,
// modelled on Nantong. Weight is the unit's share of the sample and Mood its
// respondents' leaning (higher is more satisfied).
var Units = []struct {
	pinggu.Unit
	Weight, Mood float64
}{
	{pinggu.Unit{Code: "chongchuan", Name: "崇川区", Type: pinggu.County, PeerGroup: "县市区"}, 1.6, 0.75},
	{pinggu.Unit{Code: "tongzhou", Name: "通州区", Type: pinggu.County, PeerGroup: "县市区"}, 1.2, 0.6},
	{pinggu.Unit{Code: "haimen", Name: "海门区", Type: pinggu.County, PeerGroup: "县市区"}, 1.1, 0.7},
	{pinggu.Unit{Code: "rugao", Name: "如皋市", Type: pinggu.County, PeerGroup: "县市区"}, 1.0, 0.55},
	{pinggu.Unit{Code: "haian", Name: "海安市", Type: pinggu.County, PeerGroup: "县市区"}, 0.9, 0.65},
	{pinggu.Unit{Code: "qidong", Name: "启东市", Type: pinggu.County, PeerGroup: "县市区"}, 0.8, 0.5},
	{pinggu.Unit{Code: "rudong", Name: "如东县", Type: pinggu.County, PeerGroup: "县市区"}, 0.7, 0.6},
	{pinggu.Unit{Code: "ntetdz", Name: "南通经济技术开发区", Type: pinggu.County, PeerGroup: "功能区", Aliases: []string{"南通开发区"}}, 0.5, 0.7},
	{pinggu.Unit{Code: "sxtyq", Name: "苏锡通科技产业园区", Type: pinggu.County, PeerGroup: "功能区", Aliases: []string{"苏锡通园区"}}, 0.35, 0.65},
	{pinggu.Unit{Code: "tzwsfq", Name: "通州湾示范区", Type: pinggu.County, PeerGroup: "功能区"}, 0.3, 0.45},
	{pinggu.Unit{Code: "gaj", Name: "市公安局", Type: pinggu.Department, PeerGroup: "市级部门"}, 0.6, 0.7},
	{pinggu.Unit{Code: "scjgj", Name: "市市场监督管理局", Type: pinggu.Department, PeerGroup: "市级部门", Aliases: []string{"市市场监管局"}}, 0.45, 0.6},
	{pinggu.Unit{Code: "sthjj", Name: "市生态环境局", Type: pinggu.Department, PeerGroup: "市级部门"}, 0.4, 0.55},
	{pinggu.Unit{Code: "rsj", Name: "市人力资源和社会保障局", Type: pinggu.Department, PeerGroup: "市级部门", Aliases: []string{"市人社局"}}, 0.4, 0.65},
	{pinggu.Unit{Code: "xzspj", Name: "市行政审批局", Type: pinggu.Department, PeerGroup: "市级部门"}, 0.5, 0.8},
}

func score(v float64) *float64 { return &v }

// scale is the 5-point satisfaction scale with 不清楚, the default score map.
func scale() []pinggu.Option {
	return []pinggu.Option{
		{Code: "5", Label: "很满意", Score: score(100)},
		{Code: "4", Label: "满意", Score: score(80)},
		{Code: "3", Label: "基本满意", Score: score(60)},
		{Code: "2", Label: "不满意", Score: score(40)},
		{Code: "1", Label: "很不满意", Score: score(20)},
		{Code: "9", Label: "不清楚"},
	}
}

func opts(labels ...string) []pinggu.Option {
	out := make([]pinggu.Option, len(labels))
	for i, l := range labels {
		out[i] = pinggu.Option{Code: fmt.Sprint(i + 1), Label: l}
	}
	return out
}

// items are the twelve satisfaction items: question text, dimension and
// the dimension's name.
var items = []struct{ text, dim, name string }{
	{"您对本地政府依法全面履行职能的情况是否满意？", "lvzhi", "依法履职"},
	{"您对本地政务服务（如“一网通办”“不见面审批”）的便利程度是否满意？", "zwfw", "政务服务"},
	{"您对本地法治化营商环境是否满意？", "yshj", "营商环境"},
	{"您对本地行政执法部门严格规范公正文明执法的情况是否满意？", "zhifa", "行政执法"},
	{"您对本地政府信息公开和政务公开工作是否满意？", "gongkai", "政务公开"},
	{"您对本地重大行政决策听取群众意见的情况是否满意？", "juece", "依法决策"},
	{"您对本地矛盾纠纷化解和行政复议工作是否满意？", "jiufen", "纠纷化解"},
	{"您对本地公共法律服务（法律援助、法律咨询等）是否满意？", "falvfw", "法律服务"},
	{"您对本地普法宣传教育工作是否满意？", "pufa", "普法宣传"},
	{"您对本地社会治安和平安建设是否满意？", "zhian", "社会治安"},
	{"您对本地政府工作人员依法办事、廉洁守法的情况是否满意？", "lianjie", "依法办事"},
	{"总体而言，您对本地法治政府建设是否满意？", "zongti", "总体评价"},
}

// Questionnaire is the 2024 法治政府建设群众满意度测评 questionnaire.
func Questionnaire() *pinggu.Questionnaire {
	q := &pinggu.Questionnaire{
		Code:  "fz2024",
		Title: "2024年度法治政府建设群众满意度测评问卷",
		Intro: "为了解群众对法治政府建设的评价，受市委依法治市办委托，第三方评估机构开展本次测评。问卷匿名填写，约需3分钟，所有信息仅用于统计分析。",
	}
	for i, it := range items {
		q.Dimensions = append(q.Dimensions, pinggu.Dimension{Code: it.dim, Name: it.name})
		section := ""
		if i == 0 {
			section = "一、满意度评价"
		}
		q.Questions = append(q.Questions, pinggu.Question{Code: fmt.Sprintf("Q%d", i+1), Type: pinggu.Scale,
			Text: it.text, Required: true, Dimension: it.dim, Options: scale(), Section: section})
	}
	q.Dimensions = append(q.Dimensions, pinggu.Dimension{Code: "sheqi", Name: "涉企检查"})
	q.Questions = append(q.Questions,
		pinggu.Question{Code: "Q13", Type: pinggu.Multi, Text: "您认为本地法治政府建设最需要改进的方面是？", MaxPicks: 3, Section: "二、意见建议",
			Options: opts("政务服务效率", "执法规范化", "政务公开", "矛盾纠纷化解", "普法宣传", "营商环境", "其他")},
		pinggu.Question{Code: "Q14", Type: pinggu.Text, Text: "您对本地法治政府建设还有哪些意见和建议？", MaxLength: 500},
		pinggu.Question{Code: "D1", Type: pinggu.Single, Text: "您居住在：", Required: true, Section: "三、基本情况",
			Options: opts("城区街道", "镇区", "农村")},
		pinggu.Question{Code: "D2", Type: pinggu.Single, Text: "您的性别：", Required: true, Options: opts("男", "女")},
		pinggu.Question{Code: "D3", Type: pinggu.Single, Text: "您的年龄：", Required: true,
			Options: opts("18–29岁", "30–39岁", "40–49岁", "50–59岁", "60岁及以上")},
		pinggu.Question{Code: "D4", Type: pinggu.Single, Text: "您的学历：",
			Options: opts("初中及以下", "高中（中专）", "大专", "本科", "研究生")},
		pinggu.Question{Code: "D5", Type: pinggu.Single, Text: "您的职业：",
			Options: opts("机关事业单位人员", "企业职工", "企业经营者或个体工商户", "农民", "学生", "离退休人员", "其他")},
		pinggu.Question{Code: "Q15", Type: pinggu.Scale, Text: "您对本地涉企行政检查“无事不扰”的情况是否满意？",
			Dimension: "sheqi", Options: scale(), ShowIf: &pinggu.ShowIf{Question: "D5", In: []string{"3"}}},
	)
	return q
}

var comments = []string{
	"希望进一步简化办事材料，减少跑腿次数。",
	"执法人员态度很好，希望继续保持。",
	"建议加强农村地区的普法宣传。",
	"政务服务中心周末也能办事，很方便。",
	"部分窗口排队时间较长，建议增加人手。",
	"希望政府重大决策多听听老百姓的意见。",
	"建议公开更多执法检查结果。",
}

// Result is what Load created or found.
type Result struct {
	Round     *pinggu.Round
	Submitted int // responses stored by this load (0 on a reload)
}

// Load creates the sample where it is missing, puts the round on the
// schedule, and submits the responses, spread unevenly over units and over
// the days since it opened.
func Load(ctx context.Context, cat *catalog.Service, rs *rounds.Service, sv *survey.Service,
	now time.Time, responses int) (*Result, error) {
	if err := loadCatalog(ctx, cat); err != nil {
		return nil, err
	}
	r := &pinggu.Round{
		Code: RoundCode, Title: "2024年度法治政府建设群众满意度测评", Kind: pinggu.Satisfaction,
		Questionnaire: "fz2024", Quotas: map[string]int{},
		OpensAt:  now.Add(-7 * 24 * time.Hour).Truncate(time.Hour),
		ClosesAt: now.Add(30 * 24 * time.Hour).Truncate(time.Hour),
		// Answers in under a minute are marked for a look (作答过快).
		Integrity: pinggu.Integrity{MinSeconds: 60},
	}
	if _, err := cat.Round(ctx, PreviousRound); err == nil {
		r.Baseline = PreviousRound // compared with last year's final figures
	}
	for _, u := range Units {
		r.Units = append(r.Units, u.Code)
		// A week into five: the sample is about a third of the plan, so no
		// quota is full yet (±4.9 points for 400, ±6.9 for 200).
		r.Quotas[u.Code] = 400
		if u.Type == pinggu.Department || u.PeerGroup == "功能区" {
			r.Quotas[u.Code] = 200
		}
	}
	if err := ignoreConflict(rs.Create(ctx, r)); err != nil {
		return nil, fmt.Errorf("round: %w", err)
	}
	r, err := cat.Round(ctx, RoundCode)
	if err != nil {
		return nil, err
	}
	if r.Status == pinggu.StatusDraft {
		if r, err = rs.Schedule(ctx, RoundCode); err != nil {
			return nil, fmt.Errorf("schedule: %w", err)
		}
	}
	res := &Result{Round: r}
	// A restart of the demo finds its sample stored: counting the tallies
	// is one small read, where submitting every response again (each
	// turned away as already stored) takes seconds.
	prog, err := sv.Progress(ctx, RoundCode)
	if err != nil {
		return nil, err
	}
	stored := 0
	for _, p := range prog {
		stored += p.Received
	}
	if stored >= responses {
		return res, nil
	}
	rng := rand.New(rand.NewPCG(2024, 11))
	total := 0.0
	for _, u := range Units {
		total += u.Weight
	}
	span := now.Sub(r.OpensAt)
	if r.ClosesAt.Before(now) {
		span = r.ClosesAt.Sub(r.OpensAt)
	}
	for i := 0; i < responses; i++ {
		u := pick(rng, total)
		at := r.OpensAt.Add(time.Duration(float64(span) * (float64(i) + rng.Float64()) / float64(responses)))
		sid := fmt.Sprintf("demo-%s-%05d", RoundCode, i)
		sub := survey.Submission{SID: sid, Round: RoundCode, Unit: Units[u].Code,
			Answers: answers(rng, Units[u].Mood), Channel: channel(rng), Device: fmt.Sprintf("demo-device-%05d", i),
			IP: fmt.Sprintf("10.%d.%d.%d", u, rng.IntN(250), rng.IntN(250)), At: at}
		// The form was opened two to eight minutes before; a few people
		// rush through, share a phone, or are bots filling the hidden field:
		// the quality checks mark them for an assessor to look at.
		took := time.Duration(120+rng.IntN(360)) * time.Second
		switch {
		case i%53 == 7:
			took = time.Duration(15+rng.IntN(30)) * time.Second
		case i%71 == 9 && i > 0:
			sub.Device = fmt.Sprintf("demo-device-%05d", i-1)
		case i%211 == 5:
			sub.Trap = "http://spam.example"
		}
		sub.Stamp = sv.Stamp(sid, RoundCode, Units[u].Code, at.Add(-took))
		rec, err := sv.Submit(ctx, sub)
		if err != nil {
			return nil, fmt.Errorf("response %s: %w", sid, err)
		}
		if rec.Created {
			res.Submitted++
		}
	}
	return res, nil
}

// loadCatalog creates the units and the questionnaire where missing.
func loadCatalog(ctx context.Context, cat *catalog.Service) error {
	for _, u := range Units {
		unit := u.Unit
		if err := ignoreConflict(cat.CreateUnit(ctx, &unit)); err != nil {
			return fmt.Errorf("unit %s: %w", u.Code, err)
		}
	}
	if err := ignoreConflict(cat.CreateQuestionnaire(ctx, Questionnaire())); err != nil {
		return fmt.Errorf("questionnaire: %w", err)
	}
	return nil
}

func ignoreConflict(err error) error {
	if pinggu.ErrorCode(err) == pinggu.Conflict {
		return nil
	}
	return err
}

func pick(rng *rand.Rand, total float64) int {
	x := rng.Float64() * total
	for i, u := range Units {
		if x -= u.Weight; x < 0 {
			return i
		}
	}
	return len(Units) - 1
}

func channel(rng *rand.Rand) pinggu.Channel {
	if rng.IntN(3) == 0 {
		return pinggu.ChannelQR
	}
	return pinggu.ChannelWeb
}

// answers draws one plausible respondent: mostly satisfied, the more so the
// higher mood, with some 不清楚 and some items left to the respondent's habit.
func answers(rng *rand.Rand, mood float64) pinggu.Answers {
	a := pinggu.Answers{}
	personal := mood + (rng.Float64()-0.5)*0.4
	if rng.IntN(12) == 0 {
		personal = 0 // a respondent with a grievance
	}
	for i := range items {
		a[fmt.Sprintf("Q%d", i+1)] = []string{scaleAnswer(rng, personal)}
	}
	a["D1"] = []string{fmt.Sprint(1 + rng.IntN(3))}
	a["D2"] = []string{fmt.Sprint(1 + rng.IntN(2))}
	a["D3"] = []string{fmt.Sprint(1 + rng.IntN(5))}
	if rng.IntN(10) > 0 {
		a["D4"] = []string{fmt.Sprint(1 + rng.IntN(5))}
	}
	job := 1 + rng.IntN(7)
	a["D5"] = []string{fmt.Sprint(job)}
	if job == 3 {
		a["Q15"] = []string{scaleAnswer(rng, personal)}
	}
	picks := rng.Perm(7)[:1+rng.IntN(3)]
	for _, p := range picks {
		a["Q13"] = append(a["Q13"], fmt.Sprint(p+1))
	}
	if rng.IntN(4) == 0 {
		a["Q14"] = []string{comments[rng.IntN(len(comments))]}
	}
	return a
}

// scaleAnswer draws one 5-point answer; mood 0–1 shifts weight from
// 很不满意 to 很满意. About one answer in twenty is 不清楚.
func scaleAnswer(rng *rand.Rand, mood float64) string {
	if rng.IntN(20) == 0 {
		return "9" // 不清楚
	}
	mood = math.Max(0, math.Min(1, mood))
	low := (1 - mood) * (1 - mood)
	weights := []float64{0.7 * mood, 0.3, 0.15 + 0.2*(1-mood), 0.05 + 0.25*low, 0.02 + 0.15*low} // 5, 4, 3, 2, 1
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x -= w; x < 0 {
			return fmt.Sprint(5 - i)
		}
	}
	return "1"
}
