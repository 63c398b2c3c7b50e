package server

import (
	"reflect"
	"strings"
	"testing"
	"text/template/parse"

	"pinggu/templates"
)

// TestPagesReadOnlyWhatTheirViewsHave walks every console page's template
// and checks that each field it reads at the page's top level (and through
// $ anywhere) exists on the page's view type, so a branch no test renders
// cannot fail with "can't evaluate field" in front of a person.
func TestPagesReadOnlyWhatTheirViewsHave(t *testing.T) {
	t.Parallel()
	pages, err := parsePages(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	views := map[string]any{
		"audit.html": auditView{}, "flagged.html": flaggedView{}, "home.html": homeView{},
		"indicators.html": indicatorsView{}, "import.html": importView{}, "plans.html": plansView{},
		"poster.html": posterView{}, "questionnaire.html": questionnaireView{}, "builder.html": builderView{}, "questionnaires.html": questionnairesView{},
		"reports.html": reportsView{}, "review.html": reviewView{}, "round_form.html": roundFormView{},
		"round.html": roundView{}, "task.html": taskView{}, "units.html": unitsView{}, "login.html": loginPage{},
		"survey.html": surveyPage{}, "notice.html": noticePage{}, "users.html": usersView{},
		"public.html": publicView{}, "self.html": selfView{}, "followup.html": followupView{}, "confirm.html": confirmView{}, "console_error.html": consoleErrorView{}, "start.html": startView{},
	}
	for name, v := range views {
		tpl := pages.Lookup(name)
		if tpl == nil {
			t.Errorf("%s: no such template", name)
			continue
		}
		w := &viewWalker{t: t, page: name, typ: reflect.TypeOf(v), seen: map[string]bool{}}
		w.list(tpl.Tree.Root, true)
		if len(w.seen) == 0 {
			t.Errorf("%s: read no field at all (is the walker blind?)", name)
		}
	}
}

type viewWalker struct {
	t    *testing.T
	page string
	typ  reflect.Type
	seen map[string]bool
}

func (w *viewWalker) list(l *parse.ListNode, root bool) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		w.node(n, root)
	}
}

func (w *viewWalker) node(n parse.Node, root bool) {
	switch n := n.(type) {
	case *parse.ActionNode:
		w.pipe(n.Pipe, root)
	case *parse.IfNode:
		w.pipe(n.Pipe, root)
		w.list(n.List, root)
		w.list(n.ElseList, root)
	case *parse.RangeNode:
		w.pipe(n.Pipe, root)
		w.list(n.List, false) // dot is an element here
		w.list(n.ElseList, root)
	case *parse.WithNode:
		w.pipe(n.Pipe, root)
		w.list(n.List, false)
		w.list(n.ElseList, root)
	case *parse.TemplateNode:
		w.pipe(n.Pipe, root)
	case *parse.ListNode:
		w.list(n, root)
	}
}

func (w *viewWalker) pipe(p *parse.PipeNode, root bool) {
	if p == nil {
		return
	}
	for _, c := range p.Cmds {
		for _, a := range c.Args {
			switch a := a.(type) {
			case *parse.FieldNode:
				if root {
					w.check(a.Ident)
				}
			case *parse.VariableNode:
				if a.Ident[0] == "$" && len(a.Ident) > 1 {
					w.check(a.Ident[1:])
				}
			case *parse.PipeNode:
				w.pipe(a, root)
			}
		}
	}
}

// check follows a chain of fields through the view's types as far as
// they are structs (maps and interfaces end the check).
func (w *viewWalker) check(chain []string) {
	typ := w.typ
	for i, f := range chain {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		if sf, ok := typ.FieldByName(f); ok {
			w.seen[f] = true
			typ = sf.Type
			continue
		}
		if _, ok := reflect.PointerTo(typ).MethodByName(f); ok {
			return
		}
		w.t.Errorf("%s reads .%s, which %s does not have", w.page, strings.Join(chain[:i+1], "."), typ)
		return
	}
}
