// Package kratos imports a Kratos Multiphysics project (ProjectParameters.json) of a stationary
// heat-conduction (Poisson) problem: the model part file, the Dirichlet constraints on
// TEMPERATURE and the elements. What it does not understand and could change the solution is
// an error naming the file, the line and the key; what cannot change the stationary solution
// (time stepping, output processes, echo levels) is a warning. Nothing is ignored silently.
//
// What it reads:
//
//	solver_settings.model_import_settings   input_type "mdpa"; input_filename, relative to the
//	                                        project file's directory, ".mdpa" appended as Kratos
//	                                        does (a file of that base name beside the project
//	                                        is taken, with a note, when the path does not exist)
//	solver_settings.element_replace_settings element_name LaplacianElement (the P1 Laplacian)
//	processes.*[i] assign_scalar_variable_process on TEMPERATURE: model_part_name, value
//	                                        (a number), constrained → a Dirichlet condition
//
// The conductivity is the .mdpa's CONDUCTIVITY per property (mcfem's problem reads it); the
// heat source is the tutorial's ε·f (Problem's caller gives ε's distribution).
package kratos

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"mcfem/internal/bounded"
)

// MaxFileSize bounds a project file's size.
const MaxFileSize = 4 << 20

// Project is what mcfem takes from a Kratos project file.
type Project struct {
	Path string // the project file as given
	Name string // problem_data.problem_name, "" if absent
	// MDPA is the model part file, resolved; MDPALine the line of input_filename.
	MDPA     string
	MDPALine int
	// Dirichlet are the constrained TEMPERATURE values per sub-model-part, in file order
	// (a part appears once).
	Dirichlet []Constraint
	// Ignored are the settings that do not change the stationary solution, by key path;
	// Notes what the reader decided for the user (a model part file found beside the project).
	Ignored []string
	Notes   []string
}

// Constraint is u = Value on the nodes of a sub-model-part.
type Constraint struct {
	Part  string  // the sub-model-part, without the main model part's name
	Value float64 // the temperature
	Line  int     // the line of the process's model_part_name
}

// Error is an error in a project file, one line: FILE:LINE: KEY: message.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		s += ": " + e.Key
	}
	return s + ": " + e.Msg
}

// project is the reader's state.
type project struct {
	*Project
	dir       string
	mainPart  string // problem_data.model_part_name or solver_settings'
	inputType string
}

func (p *project) errf(line int, key, format string, args ...any) error {
	return &Error{File: p.Path, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Read reads and checks the project file path.
func Read(path string) (*Project, error) {
	data, err := bounded.ReadFile(path, MaxFileSize, "a Kratos project file")
	var tl *bounded.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, &Error{File: path, Msg: tl.Detail() + ": not a project file"}
	case err != nil:
		return nil, &Error{File: path, Msg: strings.TrimPrefix(err.Error(), "open "+path+": ")}
	}
	return Parse(data, path, filepath.Dir(path))
}

// Parse checks the project file data, named name in errors, whose relative paths are relative
// to dir.
func Parse(data []byte, name, dir string) (*Project, error) {
	if len(data) > MaxFileSize {
		tl := &bounded.TooLargeError{Path: name, Size: int64(len(data)), Limit: MaxFileSize, What: "a Kratos project file"}
		return nil, &Error{File: name, Msg: tl.Detail() + ": not a project file"}
	}
	root, err := parseTree(data, name)
	if err != nil {
		return nil, err
	}
	p := &project{Project: &Project{Path: name}, dir: dir}
	if !root.isObj {
		return nil, p.errf(root.line, "", "want the project's JSON object, not %s", root.kind())
	}
	if err := p.walk(root, "", topLevel); err != nil {
		return nil, err
	}
	if err := p.parts(); err != nil {
		return nil, err
	}
	if p.MDPA == "" {
		return nil, p.errf(0, "solver_settings.model_import_settings.input_filename", "missing: the project names no model part file")
	}
	if p.inputType != "mdpa" {
		return nil, p.errf(0, "solver_settings.model_import_settings.input_type", "missing: want \"mdpa\"")
	}
	if len(p.Dirichlet) == 0 {
		return nil, p.errf(0, "processes", "no assign_scalar_variable_process constrains TEMPERATURE: the stationary problem needs a Dirichlet condition")
	}
	return p.Project, p.resolveMDPA()
}

// resolveMDPA finds the model part file: input_filename + ".mdpa" relative to the project's
// directory, or, when that does not exist, the file of the same base name beside the project.
func (p *project) resolveMDPA() error {
	rel := p.MDPA + ".mdpa"
	want := rel
	if !filepath.IsAbs(rel) {
		want = filepath.Join(p.dir, rel)
	}
	if _, err := os.Stat(want); err == nil {
		p.MDPA = want
		return nil
	}
	beside := filepath.Join(p.dir, filepath.Base(rel))
	if _, err := os.Stat(beside); err == nil && beside != want {
		p.Notes = append(p.Notes, fmt.Sprintf("the model part file %s does not exist; took %s, beside the project file", want, beside))
		p.MDPA = beside
		return nil
	}
	return p.errf(p.MDPALine, "solver_settings.model_import_settings.input_filename", "%q: no file %s (nor %s beside the project file)", strings.TrimSuffix(rel, ".mdpa"), want, beside)
}

// A rule says what to do with a key: read its value (read), check it's an object and walk it
// with rules (sub), or note it as ignored (ignore).
type rule struct {
	read   func(p *project, v *value, key string) error
	sub    map[string]rule
	ignore bool
}

var (
	ignore = rule{ignore: true}
	// topLevel are the keys of a project file.
	topLevel = map[string]rule{
		"problem_data":     {sub: problemData},
		"solver_settings":  {sub: solverSettings},
		"processes":        {read: (*project).processes},
		"output_processes": ignore,
	}
	problemData = map[string]rule{
		"problem_name":    {read: func(p *project, v *value, key string) error { return p.str(v, key, &p.Name) }},
		"model_part_name": {read: (*project).mainPartName},
		"domain_size":     {read: (*project).domainSize},
		"parallel_type":   ignore, "echo_level": ignore,
		"time_step": ignore, "start_time": ignore, "end_time": ignore,
	}
	solverSettings = map[string]rule{
		"model_part_name":   {read: (*project).mainPartName},
		"domain_size":       {read: (*project).domainSize},
		"solver_type":       {read: (*project).solverType},
		"analysis_type":     {read: (*project).analysisType},
		"echo_level":        ignore,
		"time_stepping":     ignore,
		"compute_reactions": ignore,
		"model_import_settings": {sub: map[string]rule{
			"input_type":     {read: (*project).inputTypeKey},
			"input_filename": {read: (*project).inputFilename},
		}},
		"element_replace_settings": {sub: map[string]rule{
			"element_name":   {read: (*project).elementName},
			"condition_name": ignore, // conditions carry fluxes, which only processes set
		}},
		"problem_domain_sub_model_part_list": {read: (*project).partList},
		"processes_sub_model_part_list":      {read: (*project).partList},
		"auxiliary_variables_list":           {read: (*project).emptyList},
		"linear_solver_settings":             ignore, // mcfem's solvers give the same solution
		"convection_diffusion_variables":     {read: (*project).variables},
	}
)

// walk applies rules to the members of the object v (at path prefix).
func (p *project) walk(v *value, prefix string, rules map[string]rule) error {
	for _, m := range v.obj {
		key := prefix + m.key
		r, ok := rules[m.key]
		if !ok {
			return p.errf(m.line, key, "a setting mcfem does not model (it reads %s)", known(rules))
		}
		switch {
		case r.ignore:
			p.Ignored = append(p.Ignored, key)
		case r.read != nil:
			if err := r.read(p, m.val, key); err != nil {
				return err
			}
		default:
			if !m.val.isObj {
				return p.errf(m.line, key, "want an object, not %s", m.val.kind())
			}
			if err := p.walk(m.val, key+".", r.sub); err != nil {
				return err
			}
		}
	}
	return nil
}

// known lists the keys of rules, sorted.
func known(rules map[string]rule) string {
	keys := make([]string, 0, len(rules))
	for k := range rules {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

func (p *project) str(v *value, key string, dst *string) error {
	if !v.isStr {
		return p.errf(v.line, key, "want a string, not %s", v.kind())
	}
	*dst = v.str
	return nil
}

func (p *project) mainPartName(v *value, key string) error {
	var name string
	if err := p.str(v, key, &name); err != nil {
		return err
	}
	if p.mainPart != "" && name != p.mainPart {
		return p.errf(v.line, key, "%q, but the project's main model part is %q", name, p.mainPart)
	}
	p.mainPart = name
	return nil
}

func (p *project) domainSize(v *value, key string) error {
	if !v.isNum || v.num.String() != "2" {
		return p.errf(v.line, key, "%s: mcfem solves 2D problems (want 2)", v.kind())
	}
	return nil
}

func (p *project) solverType(v *value, key string) error {
	var s string
	if err := p.str(v, key, &s); err != nil {
		return err
	}
	if !strings.Contains(strings.ToLower(s), "stationary") {
		return p.errf(v.line, key, "%q: mcfem solves the stationary problem (want \"stationary\")", s)
	}
	return nil
}

func (p *project) analysisType(v *value, key string) error {
	var s string
	if err := p.str(v, key, &s); err != nil {
		return err
	}
	switch s {
	case "linear":
	case "non_linear":
		// Newton's method on a linear problem converges to the linear solution.
		p.Ignored = append(p.Ignored, key)
	default:
		return p.errf(v.line, key, "%q: want \"linear\" or \"non_linear\"", s)
	}
	return nil
}

func (p *project) inputTypeKey(v *value, key string) error {
	if err := p.str(v, key, &p.inputType); err != nil {
		return err
	}
	if p.inputType != "mdpa" {
		return p.errf(v.line, key, "%q: mcfem reads model part files (want \"mdpa\")", p.inputType)
	}
	return nil
}

func (p *project) inputFilename(v *value, key string) error {
	if err := p.str(v, key, &p.MDPA); err != nil {
		return err
	}
	if p.MDPA == "" {
		return p.errf(v.line, key, "empty: want the model part file's name")
	}
	p.MDPALine = v.line
	return nil
}

func (p *project) elementName(v *value, key string) error {
	var s string
	if err := p.str(v, key, &s); err != nil {
		return err
	}
	if s != "LaplacianElement" {
		return p.errf(v.line, key, "%q: an element mcfem does not model (it solves with P1 LaplacianElement)", s)
	}
	return nil
}

func (p *project) partList(v *value, key string) error {
	if !v.isArr {
		return p.errf(v.line, key, "want an array of sub-model-part names, not %s", v.kind())
	}
	for _, e := range v.arr {
		if !e.isStr {
			return p.errf(e.line, key, "want sub-model-part names, not %s", e.kind())
		}
	}
	return nil
}

func (p *project) emptyList(v *value, key string) error {
	if !v.isArr {
		return p.errf(v.line, key, "want an array, not %s", v.kind())
	}
	if len(v.arr) > 0 {
		return p.errf(v.arr[0].line, key, "%s: auxiliary variables mcfem does not model (want [])", v.arr[0].kind())
	}
	return nil
}

// variables checks convection_diffusion_variables: the problem is heat conduction in TEMPERATURE
// with CONDUCTIVITY.
func (p *project) variables(v *value, key string) error {
	if !v.isObj {
		return p.errf(v.line, key, "want an object, not %s", v.kind())
	}
	want := map[string]string{"unknown_variable": "TEMPERATURE", "diffusion_variable": "CONDUCTIVITY",
		"volume_source_variable": "HEAT_FLUX", "surface_source_variable": "FACE_HEAT_FLUX",
		"density_variable": "DENSITY", "specific_heat_variable": "SPECIFIC_HEAT", "reaction_variable": "REACTION_FLUX"}
	for _, m := range v.obj {
		w, ok := want[m.key]
		if !ok {
			return p.errf(m.line, key+"."+m.key, "a variable mcfem does not model")
		}
		if !m.val.isStr || m.val.str != w {
			return p.errf(m.line, key+"."+m.key, "%s: mcfem models %s", m.val.kind(), w)
		}
	}
	return nil
}

// processes reads the process lists: assign_scalar_variable_process on TEMPERATURE is a
// Dirichlet condition; any other process is an error.
func (p *project) processes(v *value, key string) error {
	if !v.isObj {
		return p.errf(v.line, key, "want an object of process lists, not %s", v.kind())
	}
	for _, list := range v.obj {
		lkey := key + "." + list.key
		if !list.val.isArr {
			return p.errf(list.line, lkey, "want an array of processes, not %s", list.val.kind())
		}
		for i, pr := range list.val.arr {
			if err := p.process(pr, fmt.Sprintf("%s[%d]", lkey, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *project) process(v *value, key string) error {
	if !v.isObj {
		return p.errf(v.line, key, "want a process object, not %s", v.kind())
	}
	var module string
	var params *value
	for _, m := range v.obj {
		switch m.key {
		case "python_module":
			if err := p.str(m.val, key+".python_module", &module); err != nil {
				return err
			}
		case "kratos_module", "process_name", "help":
		case "Parameters":
			params = m.val
		default:
			return p.errf(m.line, key+"."+m.key, "a process setting mcfem does not model")
		}
	}
	if module != "assign_scalar_variable_process" {
		line := v.line
		if m := v.get("python_module"); m != nil {
			line = m.line
		}
		return p.errf(line, key+".python_module", "%q: a process mcfem does not model (it models assign_scalar_variable_process on TEMPERATURE)", module)
	}
	if params == nil || !params.isObj {
		return p.errf(v.line, key+".Parameters", "missing: want the process's parameters")
	}
	return p.assign(params, key+".Parameters")
}

// assign reads the parameters of an assign_scalar_variable_process.
func (p *project) assign(v *value, key string) error {
	c := Constraint{}
	constrained, variable, haveValue := true, "", false
	for _, m := range v.obj {
		k := key + "." + m.key
		switch m.key {
		case "model_part_name":
			if err := p.str(m.val, k, &c.Part); err != nil {
				return err
			}
			c.Line = m.line
		case "variable_name":
			if err := p.str(m.val, k, &variable); err != nil {
				return err
			}
			if variable != "TEMPERATURE" {
				return p.errf(m.line, k, "%q: a variable mcfem does not model (it constrains TEMPERATURE)", variable)
			}
		case "constrained":
			if !m.val.isBool {
				return p.errf(m.line, k, "want true or false, not %s", m.val.kind())
			}
			constrained = m.val.boolean
		case "value":
			if !m.val.isNum {
				return p.errf(m.line, k, "%s: mcfem imports constant values (write a problem file, -problem, for a value that varies)", m.val.kind())
			}
			f, err := strconv.ParseFloat(m.val.num.String(), 64)
			if err != nil {
				return p.errf(m.line, k, "%s: not a finite number", m.val.num)
			}
			c.Value, haveValue = f, true
		case "interval", "mesh_id":
			p.Ignored = append(p.Ignored, k) // a stationary problem has no time
		default:
			return p.errf(m.line, k, "a parameter mcfem does not model")
		}
	}
	switch {
	case c.Part == "":
		return p.errf(v.line, key+".model_part_name", "missing: want the constrained sub-model-part")
	case variable == "":
		return p.errf(v.line, key+".variable_name", "missing: want TEMPERATURE")
	case !haveValue:
		return p.errf(v.line, key+".value", "missing: want the temperature")
	case !constrained:
		// An unconstrained value is an initial guess: the stationary solution does not see it.
		p.Ignored = append(p.Ignored, key)
		return nil
	}
	p.Dirichlet = append(p.Dirichlet, c)
	return nil
}

// parts takes the main model part's name off the constrained parts' names and refuses a part
// constrained twice.
func (p *project) parts() error {
	for i := range p.Dirichlet {
		c := &p.Dirichlet[i]
		if p.mainPart != "" {
			c.Part = strings.TrimPrefix(c.Part, p.mainPart+".")
		}
		for _, d := range p.Dirichlet[:i] {
			if d.Part == c.Part {
				return p.errf(c.Line, "processes", "sub-model-part %q is constrained twice (line %d too)", c.Part, d.Line)
			}
		}
	}
	return nil
}

// ProblemJSON returns the project as an mcfem problem file: the model part file, the input
// eps with distribution dist, the mesh's conductivity, the tutorial's source ε·f, the
// Dirichlet conditions and the tutorial's QoI (the integral of u over the domain, "qoi").
func (p *Project) ProblemJSON(dist string) []byte {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var b strings.Builder
	fmt.Fprintf(&b, "{\n  \"mesh\": {\"mdpa\": %s},\n  \"inputs\": {\"eps\": %s},\n", q(p.MDPA), q(dist))
	fmt.Fprintf(&b, "  \"conductivity\": \"conductivity\",\n  \"source\": %s,\n  \"boundary\": {\n", q(TutorialSource))
	for i, c := range p.Dirichlet {
		sep := ","
		if i == len(p.Dirichlet)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    %s: {\"dirichlet\": %s}%s\n", q(c.Part), strconv.FormatFloat(c.Value, 'g', -1, 64), sep)
	}
	b.WriteString("  },\n  \"qoi\": {\"qoi\": {\"integral\": \"domain\"}}\n}\n")
	return []byte(b.String())
}

// TutorialSource is the heat source of the Kratos tutorial, ε·f with f = −432 (x² + y² − x − y),
// as a problem file's expression.
const TutorialSource = "eps * -432 * (x*x + y*y - x - y)"
