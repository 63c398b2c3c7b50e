package pinggu

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Rubric is how a leaf indicator is scored (评分方法).
type Rubric string

// RubricLabel is the rubric in the words of the UI.
func RubricLabel(r Rubric) string {
	return map[Rubric]string{RubricBinary: "达标得满分", RubricProportional: "按比例", RubricDeduction: "按次扣分",
		RubricSurvey: "满意度", RubricManual: "评审打分"}[r]
}

// Rubrics of leaf indicators.
const (
	RubricBinary       Rubric = "binary"       // 达标得满分: value 1 or 0
	RubricProportional Rubric = "proportional" // 按比例: max × clamp(value/target, 0, 1)
	RubricDeduction    Rubric = "deduction"    // 每次扣x分: max − min(cap, n·perInstance)
	RubricSurvey       Rubric = "survey"       // from a satisfaction dimension: max·Ȳ/100 or a threshold table
	RubricManual       Rubric = "manual"       // a reviewer's score
)

// RubricWords says how a leaf is scored and what its entry is, in the
// words a unit filling its self-assessment reads.
func (in *Indicator) RubricWords() string {
	capped := in.Cap
	if capped == 0 {
		capped = in.Points
	}
	switch in.Rubric {
	case RubricBinary:
		return fmt.Sprintf("达标得%g分，未达标不得分：达标填1，未达标填0", in.Points)
	case RubricProportional:
		if in.Target > 0 {
			return fmt.Sprintf("按比例得分：%g分×实际值÷目标值%g（最高%g分）：填实际值", in.Points, in.Target, in.Points)
		}
		return fmt.Sprintf("按比例得分：%g分×比率（0–1，最高%g分）：填比率", in.Points, in.Points)
	case RubricDeduction:
		return fmt.Sprintf("每发生一次扣%g分，最多扣%g分（满分%g分）：填发生次数", in.PerInstance, capped, in.Points)
	case RubricManual:
		return fmt.Sprintf("评审打分：填0–%g之间的得分", in.Points)
	case RubricSurvey:
		return "由满意度测评结果计算"
	}
	return ""
}

// Threshold is one row of a survey leaf's table: a dimension mean of at
// least Min earns Share of the points. Rows go from high Min to low.
type Threshold struct {
	Min   float64 `json:"min" bson:"min"`
	Share float64 `json:"share" bson:"share"`
}

// Indicator is one node of an indicator system (一级/二级/三级指标).
type Indicator struct {
	Code        string      `json:"code" bson:"code"`
	Parent      string      `json:"parent,omitempty" bson:"parent"`
	Level       int         `json:"level" bson:"level"`
	Name        string      `json:"name" bson:"name"`
	Points      float64     `json:"points" bson:"points"`
	Rubric      Rubric      `json:"rubric,omitempty" bson:"rubric"`
	PerInstance float64     `json:"perInstance,omitempty" bson:"perinstance"` // deduction
	Cap         float64     `json:"cap,omitempty" bson:"cap"`                 // deduction; 0 means the indicator's points
	Target      float64     `json:"target,omitempty" bson:"target"`           // proportional; 0 means the value is already a ratio
	Dimension   string      `json:"dimension,omitempty" bson:"dimension"`     // survey
	Thresholds  []Threshold `json:"thresholds,omitempty" bson:"thresholds"`   // survey, optional
	AppliesTo   []UnitType  `json:"appliesTo,omitempty" bson:"appliesto"`     // empty: every unit
}

// IndicatorSystem is a versioned tree of indicators (指标体系).
type IndicatorSystem struct {
	Code       string      `json:"code"`
	Version    int         `json:"version"`
	Name       string      `json:"name"`
	Indicators []Indicator `json:"indicators"`
	CreatedAt  time.Time   `json:"createdAt"`
}

var indicatorCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$`)

// Applies reports whether the indicator scores units of type t.
func (in *Indicator) Applies(t UnitType) bool {
	return len(in.AppliesTo) == 0 || containsType(in.AppliesTo, t)
}

func containsType(ts []UnitType, t UnitType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// Children maps each code to its children's indices, in order.
func (s *IndicatorSystem) Children() map[string][]int {
	out := map[string][]int{}
	for i, in := range s.Indicators {
		out[in.Parent] = append(out[in.Parent], i)
	}
	return out
}

// Indicator returns the indicator with the code, or nil.
func (s *IndicatorSystem) Indicator(code string) *Indicator {
	for i := range s.Indicators {
		if s.Indicators[i].Code == code {
			return &s.Indicators[i]
		}
	}
	return nil
}

// FullScale is the points of the whole tree: the sum of its 一级指标.
func (s *IndicatorSystem) FullScale() float64 {
	total := 0.0
	for _, in := range s.Indicators {
		if in.Parent == "" {
			total += in.Points
		}
	}
	return total
}

// Validate checks the tree: unique codes, parents that exist one level up,
// children whose points add up to their parent's, and a rubric with its
// parameters on every leaf and on leaves only.
func (s *IndicatorSystem) Validate() error {
	fe := FieldErrors{}
	if !codeRe.MatchString(s.Code) {
		fe.Add("code", "编码须为1–40位小写字母、数字、-或_，以字母或数字开头")
	}
	checkText(fe, "name", s.Name, 200, true)
	if len(s.Indicators) == 0 || len(s.Indicators) > 2000 {
		fe.Add("indicators", "指标须有1–2000项")
	}
	byCode := map[string]*Indicator{}
	for i := range s.Indicators {
		in := &s.Indicators[i]
		path := fmt.Sprintf("indicators[%d]", i)
		if !indicatorCodeRe.MatchString(in.Code) {
			fe.Add(path+".code", "指标编码须为1–30位字母、数字、.、-或_")
		} else if byCode[in.Code] != nil {
			fe.Add(path+".code", fmt.Sprintf("指标编码%s重复", in.Code))
		}
		byCode[in.Code] = in
	}
	children := s.Children()
	for i := range s.Indicators {
		in := &s.Indicators[i]
		path := fmt.Sprintf("indicators[%d]", i)
		checkText(fe, path+".name", in.Name, 300, true)
		if in.Points <= 0 {
			fe.Add(path+".points", "分值须大于0")
		}
		parent := byCode[in.Parent]
		switch {
		case in.Parent == "" && in.Level != 1:
			fe.Add(path+".level", "没有上级的指标须为一级指标")
		case in.Parent != "" && parent == nil:
			fe.Add(path+".parent", fmt.Sprintf("上级指标%s不存在", in.Parent))
		case parent != nil && in.Level != parent.Level+1:
			fe.Add(path+".level", fmt.Sprintf("层级须为上级指标的层级加1（%d）", parent.Level+1))
		}
		if in.Level < 1 || in.Level > 3 {
			fe.Add(path+".level", "层级须为1、2或3")
		}
		for _, t := range in.AppliesTo {
			if t != County && t != Department && t != Town {
				fe.Add(path+".appliesTo", "适用单位类型须为county、department或town")
			}
		}
		if kids := children[in.Code]; len(kids) > 0 {
			if in.Rubric != "" {
				fe.Add(path+".rubric", "有下级指标的指标不设评分方法，得分为下级之和")
			}
			sum := 0.0
			for _, k := range kids {
				sum += s.Indicators[k].Points
			}
			if math.Abs(sum-in.Points) > 1e-6 {
				fe.Add(path+".points", fmt.Sprintf("分值%g与下级指标分值之和%g不一致", in.Points, sum))
			}
			continue
		}
		validateRubric(fe, path, in)
	}
	return fe.Err("指标体系有误")
}

func validateRubric(fe FieldErrors, path string, in *Indicator) {
	switch in.Rubric {
	case RubricBinary, RubricManual:
	case RubricProportional:
		if in.Target < 0 {
			fe.Add(path+".target", "目标值不能为负数")
		}
	case RubricDeduction:
		if in.PerInstance <= 0 {
			fe.Add(path+".perInstance", "每次扣分须大于0")
		}
		if in.Cap < 0 || in.Cap > in.Points {
			fe.Add(path+".cap", "扣分上限须在0到该项分值之间（0表示该项分值）")
		}
	case RubricSurvey:
		if !codeRe.MatchString(in.Dimension) {
			fe.Add(path+".dimension", "须指定满意度测评维度")
		}
		for j, t := range in.Thresholds {
			if t.Min < 0 || t.Min > 100 || t.Share < 0 || t.Share > 1 {
				fe.Add(fmt.Sprintf("%s.thresholds[%d]", path, j), "阈值须在0–100之间，得分比例须在0–1之间")
			}
			if j > 0 && t.Min >= in.Thresholds[j-1].Min {
				fe.Add(fmt.Sprintf("%s.thresholds[%d]", path, j), "阈值须从高到低排列")
			}
		}
	default:
		fe.Add(path+".rubric", "末级指标须设评分方法：binary、proportional、deduction、survey或manual")
	}
}

// GradeBand is one grade (等次) and the lowest total that earns it.
type GradeBand struct {
	Name string  `json:"name" bson:"name"`
	Min  float64 `json:"min" bson:"min"`
}

// VetoRule is a one-vote veto (一票否决): "fail" forces the lowest grade,
// "cap" lets the unit grade at most CapGrade.
type VetoRule struct {
	Code     string `json:"code" bson:"code"`
	Name     string `json:"name" bson:"name"`
	Effect   string `json:"effect" bson:"effect"`
	CapGrade string `json:"capGrade,omitempty" bson:"capgrade"`
}

// AssessmentSettings are the rules of an assessment round (年度考核).
type AssessmentSettings struct {
	IndicatorSystem  string  `json:"indicatorSystem" bson:"indicatorsystem"`
	IndicatorVersion int     `json:"indicatorVersion" bson:"indicatorversion"`
	BonusCap         float64 `json:"bonusCap" bson:"bonuscap"`
	DeductionCap     float64 `json:"deductionCap" bson:"deductioncap"`
	// Grades by peer group; the key "*" serves groups not named.
	Grades map[string][]GradeBand `json:"grades,omitempty" bson:"grades"`
	Vetoes []VetoRule             `json:"vetoes,omitempty" bson:"vetoes"`
	// VetoRank places vetoed units: "last" (default) after all others,
	// "unranked" without a rank, "keep" by their total like the rest.
	VetoRank string `json:"vetoRank,omitempty" bson:"vetorank"`
	// AllowGaps lets a final compile go ahead with leaves that have no
	// entry; those units are marked incomplete and not ranked. Without it a
	// final compile with gaps is refused with the list.
	AllowGaps bool `json:"allowGaps,omitempty" bson:"allowgaps"`
	// Phases are the workflow's windows, each optional: a window not set
	// does not restrict its step.
	Phases Phases `json:"phases" bson:"phases"`
	// RectifyLoss is the share of a leaf's points it must lose (more than)
	// to become a rectification item at the final result (0: the default,
	// DefaultRectifyLoss; 1: none); RectifyDays the deadline in days after
	// it (0: DefaultRectifyDays).
	RectifyLoss float64 `json:"rectifyLoss,omitempty" bson:"rectifyloss"`
	RectifyDays int     `json:"rectifyDays,omitempty" bson:"rectifydays"`
}

// RectifyRule is the loss share and deadline in force.
func (a *AssessmentSettings) RectifyRule() (loss float64, days int) {
	loss, days = a.RectifyLoss, a.RectifyDays
	if loss == 0 {
		loss = DefaultRectifyLoss
	}
	if days == 0 {
		days = DefaultRectifyDays
	}
	return loss, days
}

// Window is when a phase opens and closes (closing excluded).
type Window struct {
	Opens  time.Time `json:"opens" bson:"opens"`
	Closes time.Time `json:"closes" bson:"closes"`
}

// Contains reports whether t falls in the window; a nil window contains
// every time.
func (w *Window) Contains(t time.Time) bool {
	return w == nil || (!t.Before(w.Opens) && t.Before(w.Closes))
}

// Phases of an assessment round (自评 → 初审/复核 → 公示 → 申诉), all within
// the round's opening and close; the final compile follows the close.
type Phases struct {
	SelfAssessment *Window `json:"selfAssessment,omitempty" bson:"selfassessment"`
	Review         *Window `json:"review,omitempty" bson:"review"`
	Notice         *Window `json:"notice,omitempty" bson:"notice"`
	Appeals        *Window `json:"appeals,omitempty" bson:"appeals"`
}

// validate checks each window lies within the round and that they open in
// the workflow's order.
func (p *Phases) validate(fe FieldErrors, opens, closes time.Time) {
	last, lastName := time.Time{}, ""
	for _, x := range []struct {
		key, name string
		w         *Window
	}{{"selfAssessment", "自评", p.SelfAssessment}, {"review", "评审", p.Review}, {"notice", "公示", p.Notice}, {"appeals", "申诉", p.Appeals}} {
		if x.w == nil {
			continue
		}
		path := "assessment.phases." + x.key
		switch {
		case !x.w.Closes.After(x.w.Opens):
			fe.Add(path, x.name+"期的结束时间须晚于开始时间")
		case x.w.Opens.Before(opens) || x.w.Closes.After(closes):
			fe.Add(path, x.name+"期须在轮次的开始与结束时间之内")
		case x.w.Opens.Before(last):
			fe.Add(path, x.name+"期不能早于"+lastName+"期开始")
		}
		last, lastName = x.w.Opens, x.name
	}
}

// Veto ranking rules.
const (
	VetoRankLast     = "last"
	VetoRankUnranked = "unranked"
	VetoRankKeep     = "keep"
)

// GapsError refuses a final result while leaves lack an entry; fields
// name each unit ("inputs.<unit>") with its missing leaves.
func GapsError(fe FieldErrors) error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: Conflict, Fields: fe,
		Message: "尚有指标未录入，不能生成最终结果；请补录，或在轮次设置中允许带缺项定稿"}
}

// VetoRankOrDefault is the veto ranking rule in force.
func (a *AssessmentSettings) VetoRankOrDefault() string {
	if a.VetoRank == "" {
		return VetoRankLast
	}
	return a.VetoRank
}

// DefaultGrades: 优秀 ≥ 90, 良好 ≥ 80, 一般 ≥ 70, else 较差.
func DefaultGrades() []GradeBand {
	return []GradeBand{{Name: "优秀", Min: 90}, {Name: "良好", Min: 80}, {Name: "一般", Min: 70}, {Name: "较差", Min: 0}}
}

// GradesFor returns the bands of a peer group, highest first.
func (a *AssessmentSettings) GradesFor(peerGroup string) []GradeBand {
	bands, ok := a.Grades[peerGroup]
	if !ok {
		bands, ok = a.Grades["*"]
	}
	if !ok || len(bands) == 0 {
		bands = DefaultGrades()
	}
	out := append([]GradeBand(nil), bands...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Min > out[j].Min })
	return out
}

// Veto returns the rule with the code, or nil.
func (a *AssessmentSettings) Veto(code string) *VetoRule {
	for i := range a.Vetoes {
		if a.Vetoes[i].Code == code {
			return &a.Vetoes[i]
		}
	}
	return nil
}

// Validate checks the settings on their own.
func (a *AssessmentSettings) Validate(fe FieldErrors) {
	if a.RectifyLoss < 0 || a.RectifyLoss > 1 {
		fe.Add("assessment.rectifyLoss", "整改失分比例须在0–1之间（如0.2表示失分超过该项分值的20%）")
	}
	if a.RectifyDays < 0 || a.RectifyDays > 3650 {
		fe.Add("assessment.rectifyDays", "整改期限须在0–3650天之间")
	}
	if !codeRe.MatchString(a.IndicatorSystem) {
		fe.Add("assessment.indicatorSystem", "考核轮次须指定指标体系")
	}
	if a.BonusCap < 0 || a.DeductionCap < 0 {
		fe.Add("assessment.bonusCap", "加分、扣分上限不能为负数")
	}
	for g, bands := range a.Grades {
		names := map[string]bool{}
		lowest := math.Inf(1)
		for _, b := range bands {
			if strings.TrimSpace(b.Name) == "" || names[b.Name] {
				fe.Add("assessment.grades."+g, "等次名称不能为空或重复")
			}
			names[b.Name] = true
			lowest = math.Min(lowest, b.Min)
		}
		if len(bands) == 0 || lowest != 0 {
			fe.Add("assessment.grades."+g, "须有一个最低分为0的等次，使每个总分都有等次")
		}
	}
	switch a.VetoRank {
	case "", VetoRankLast, VetoRankUnranked, VetoRankKeep:
	default:
		fe.Add("assessment.vetoRank", "被一票否决单位的排名规则须为last（排在其他单位之后）、unranked（不排名）或keep（按总分排名）")
	}
	for i, v := range a.Vetoes {
		p := fmt.Sprintf("assessment.vetoes[%d]", i)
		if !indicatorCodeRe.MatchString(v.Code) || strings.TrimSpace(v.Name) == "" {
			fe.Add(p, "否决事项须有编码和名称")
		}
		if v.Effect != "fail" && v.Effect != "cap" {
			fe.Add(p+".effect", "否决效果须为fail（直接定为最低等次）或cap（最高为某一等次）")
		}
	}
}

// InputValue is what a reviewer entered for one leaf of one unit.
type InputValue struct {
	Value   *float64 `json:"value,omitempty"` // binary (1/0) and proportional
	Count   *int     `json:"count,omitempty"` // deduction instances
	Score   *float64 `json:"score,omitempty"` // manual
	Comment string   `json:"comment,omitempty"`
}

// Input is a reviewer's entry for a leaf indicator of a unit in a round
// (初审), and its confirmation by a second assessor (复核).
type Input struct {
	Round     string `json:"round"`
	Unit      string `json:"unit"`
	Indicator string `json:"indicator"`
	InputValue
	By string    `json:"by"`
	At time.Time `json:"at"`
	// Confirmed is set by a second assessor, never the one who entered
	// it; a later entry clears it.
	Confirmed *Confirmation `json:"confirmed,omitempty"`
	// History is every entry, change and confirmation, oldest first.
	History []InputChange `json:"history,omitempty"`
	Version int           `json:"version"`
}

// Confirmation is a second assessor's confirmation of an entry, with the
// reviewed value it replaced when it changed it.
type Confirmation struct {
	By     string      `json:"by"`
	At     time.Time   `json:"at"`
	Reason string      `json:"reason,omitempty"`
	Was    *InputValue `json:"was,omitempty"`
}

// InputChange is one step of an entry's history: who, when, the value
// before and after, and why.
type InputChange struct {
	Action string      `json:"action"` // entered, confirmed, changed (on confirmation)
	By     string      `json:"by"`
	At     time.Time   `json:"at"`
	Old    *InputValue `json:"old,omitempty"`
	New    InputValue  `json:"new"`
	Reason string      `json:"reason,omitempty"`
}

// Actions of an entry's history.
const (
	InputEntered   = "entered"
	InputConfirmed = "confirmed"
	InputChanged   = "changed"
)

// EntriesByUnit indexes reviewers' entries: unit → indicator → value.
func EntriesByUnit(ins []Input) map[string]map[string]InputValue {
	out := map[string]map[string]InputValue{}
	for _, in := range ins {
		if out[in.Unit] == nil {
			out[in.Unit] = map[string]InputValue{}
		}
		out[in.Unit][in.Indicator] = in.InputValue
	}
	return out
}

// Check validates a value against the leaf's rubric.
func (v *InputValue) Check(in *Indicator) error {
	fe := FieldErrors{}
	switch in.Rubric {
	case RubricBinary:
		if v.Value == nil || (*v.Value != 0 && *v.Value != 1) {
			fe.Add("value", "达标类指标须录入1（达标）或0（未达标）")
		}
	case RubricProportional:
		if v.Value == nil || *v.Value < 0 {
			fe.Add("value", "按比例指标须录入不小于0的数值")
		}
	case RubricDeduction:
		if v.Count == nil || *v.Count < 0 {
			fe.Add("count", "扣分类指标须录入发生次数（不小于0的整数）")
		}
	case RubricManual:
		if v.Score == nil || *v.Score < 0 || *v.Score > in.Points {
			fe.Add("score", fmt.Sprintf("须录入0–%g之间的得分", in.Points))
		}
	case RubricSurvey:
		fe.Add("indicator", "满意度指标由测评结果计算，不能录入")
	default:
		fe.Add("indicator", "只有末级指标可以录入")
	}
	if len([]rune(v.Comment)) > 1000 {
		fe.Add("comment", "说明不能超过1000个字")
	}
	return fe.Err("录入内容有误")
}

// AdjustmentLabel names an adjustment's kind in words.
func AdjustmentLabel(k AdjustmentKind) string {
	if l, ok := map[AdjustmentKind]string{Bonus: "加分", DeductionEvent: "扣分", Veto: "一票否决"}[k]; ok {
		return l
	}
	return string(k)
}

// AdjustmentKind is a bonus (加分), a deduction (扣分) or a veto (一票否决).
type AdjustmentKind string

// Adjustment kinds.
const (
	Bonus          AdjustmentKind = "bonus"
	DeductionEvent AdjustmentKind = "deduction"
	Veto           AdjustmentKind = "veto"
)

// Adjustment is a bonus, deduction or veto event of a unit, with its basis (依据).
type Adjustment struct {
	ID     string         `json:"id"`
	Round  string         `json:"round"`
	Unit   string         `json:"unit"`
	Kind   AdjustmentKind `json:"kind"`
	Points float64        `json:"points,omitempty"`
	Rule   string         `json:"rule,omitempty"` // the veto rule's code
	Basis  string         `json:"basis"`
	By     string         `json:"by"`
	At     time.Time      `json:"at"`
}

// Validate checks an adjustment against the round's settings.
func (a *Adjustment) Validate(s *AssessmentSettings) error {
	fe := FieldErrors{}
	switch a.Kind {
	case Bonus, DeductionEvent:
		if a.Points <= 0 || a.Points > 100 {
			fe.Add("points", "分值须在0–100之间且大于0")
		}
	case Veto:
		if s.Veto(a.Rule) == nil {
			fe.Add("rule", "否决事项须为本轮次设定的否决规则之一")
		}
	default:
		fe.Add("kind", "类型须为bonus（加分）、deduction（扣分）或veto（一票否决）")
	}
	checkText(fe, "basis", a.Basis, 1000, true)
	return fe.Err("加减分或否决事项有误")
}
