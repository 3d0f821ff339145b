package kratos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// projectFile is the ProjectParameters that Kratos' own tests run with square_finer_2d.mdpa,
// unchanged (testdata/README: ../shared/testdata/kratos).
const projectFile = "testdata/parameters_poisson_square_2d_finer.json"

func TestReadKratosProject(t *testing.T) {
	p, err := Read(projectFile)
	require.NoError(t, err)
	assert.Equal(t, "poisson_square_2d", p.Name)
	assert.Equal(t, filepath.Join("testdata", "problem_settings", "square_finer_2d.mdpa"), p.MDPA)
	assert.Equal(t, 18, p.MDPALine)
	assert.Equal(t, []Constraint{{Part: "Subpart_Boundary", Value: 0, Line: 37}}, p.Dirichlet)
	assert.Empty(t, p.Notes)
	// Everything that cannot change the stationary solution is listed, nothing else.
	assert.Equal(t, []string{"problem_data.parallel_type", "problem_data.time_step", "problem_data.start_time",
		"problem_data.end_time", "problem_data.echo_level", "solver_settings.echo_level", "solver_settings.time_stepping",
		"solver_settings.compute_reactions", "solver_settings.element_replace_settings.condition_name",
		"processes.constraints_process_list[0].Parameters.interval", "output_processes"}, p.Ignored)

	// The problem file it stands for.
	js := string(p.ProblemJSON("beta:2,6"))
	assert.Contains(t, js, `"mesh": {"mdpa": "testdata/problem_settings/square_finer_2d.mdpa"}`)
	assert.Contains(t, js, `"Subpart_Boundary": {"dirichlet": 0}`)
	assert.Contains(t, js, `"inputs": {"eps": "beta:2,6"}`)
	assert.Contains(t, js, `"source": "eps * -432 * (x*x + y*y - x - y)"`)
}

func TestKratosModelPartBesideTheProject(t *testing.T) {
	// The projectFile moved without its problem_settings directory: the .mdpa of the same base
	// name beside it is taken, with a note; none at all is an error naming the key.
	dir := t.TempDir()
	data, err := os.ReadFile(projectFile)
	require.NoError(t, err)
	path := filepath.Join(dir, "p.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	_, err = Read(path)
	require.Error(t, err)
	assert.Equal(t, path+":18: solver_settings.model_import_settings.input_filename: \"problem_settings/square_finer_2d\": no file "+
		filepath.Join(dir, "problem_settings/square_finer_2d.mdpa")+" (nor "+filepath.Join(dir, "square_finer_2d.mdpa")+" beside the project file)", err.Error())

	mdpa, err := os.ReadFile("testdata/problem_settings/square_finer_2d.mdpa")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "square_finer_2d.mdpa"), mdpa, 0o644))
	p, err := Read(path)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "square_finer_2d.mdpa"), p.MDPA)
	require.Len(t, p.Notes, 1)
	assert.Contains(t, p.Notes[0], "does not exist; took "+filepath.Join(dir, "square_finer_2d.mdpa"))
}

func TestKratosRefusesWhatItDoesNotModel(t *testing.T) {
	data, err := os.ReadFile(projectFile)
	require.NoError(t, err)
	orig := string(data)
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"unknown process", `"assign_scalar_variable_process"`, `"apply_thermal_face_process"`,
			`:34: processes.constraints_process_list[0].python_module: "apply_thermal_face_process": a process mcfem does not model`},
		{"second process list", `"constraints_process_list" : [{`, `"loads_process_list": [{"python_module": "apply_heat_flux_process", "Parameters": {}}], "constraints_process_list" : [{`,
			`:33: processes.loads_process_list[0].python_module: "apply_heat_flux_process": a process mcfem does not model`},
		{"other variable", `"TEMPERATURE"`, `"HEAT_FLUX"`,
			`:38: processes.constraints_process_list[0].Parameters.variable_name: "HEAT_FLUX": a variable mcfem does not model`},
		{"element", `"LaplacianElement"`, `"EulerianConvDiff2D"`,
			`:25: solver_settings.element_replace_settings.element_name: "EulerianConvDiff2D": an element mcfem does not model`},
		{"3D", `"domain_size"     : 2`, `"domain_size"     : 3`,
			`:5: problem_data.domain_size: the number 3: mcfem solves 2D problems`},
		{"input type", `"input_type": "mdpa"`, `"input_type": "use_input_model_part"`,
			`:17: solver_settings.model_import_settings.input_type: "use_input_model_part": mcfem reads model part files`},
		{"unknown top key", `"problem_data"             : {`, `"modelers": [], "problem_data": {`,
			`:2: modelers: a setting mcfem does not model (it reads output_processes, problem_data, processes, solver_settings)`},
		{"unknown solver key", `"echo_level": 0,`, `"echo_level": 0, "material_import_settings": {"materials_filename": "m.json"},`,
			`:15: solver_settings.material_import_settings: a setting mcfem does not model`},
		{"transient", `"domain_size" : 2,`, `"domain_size" : 2, "solver_type": "transient",`,
			`solver_settings.solver_type: "transient": mcfem solves the stationary problem`},
		{"function value", `"value"           : 0.0`, `"value"           : "x+y"`,
			`:40: processes.constraints_process_list[0].Parameters.value: a string "x+y": mcfem imports constant values`},
		{"no constraint", `"constrained"     : true`, `"constrained"     : false`,
			`processes: no assign_scalar_variable_process constrains TEMPERATURE`},
		{"duplicate key", `"echo_level": 0,`, `"echo_level": 0, "echo_level": 1,`,
			`:15: echo_level: the key appears twice`},
		{"not JSON", `"problem_data"             : {`, `"problem_data"             : {{`,
			`:2: not valid JSON`},
		{"main part prefix mismatch", `"model_part_name" : "MainModelPart",
            "domain_size" : 2`, `"model_part_name" : "Other",
            "domain_size" : 2`,
			`:13: solver_settings.model_part_name: "Other", but the project's main model part is "MainModelPart"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, orig, tc.old)
			dir := t.TempDir()
			path := filepath.Join(dir, "p.json")
			require.NoError(t, os.WriteFile(path, []byte(strings.Replace(orig, tc.old, tc.new, 1)), 0o644))
			_, err := Read(path)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), path), err.Error())
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestKratosPrefixedPartName(t *testing.T) {
	// Kratos accepts "MainModelPart.Subpart_Boundary" for a sub-model-part.
	data, err := os.ReadFile(projectFile)
	require.NoError(t, err)
	js := strings.Replace(string(data), `"model_part_name" : "Subpart_Boundary"`, `"model_part_name" : "MainModelPart.Subpart_Boundary"`, 1)
	require.NotEqual(t, string(data), js)
	p, err := Parse([]byte(js), "p.json", "testdata")
	require.NoError(t, err)
	assert.Equal(t, "Subpart_Boundary", p.Dirichlet[0].Part)
}

func FuzzParseKratos(f *testing.F) {
	data, err := os.ReadFile(projectFile)
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte(`{"processes": {"a": [{"python_module": "assign_scalar_variable_process", "Parameters": {"model_part_name": "x", "variable_name": "TEMPERATURE", "value": 1e400}}]}}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "f.json", "testdata")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		if len(p.Dirichlet) == 0 || p.MDPA == "" {
			t.Fatalf("accepted without a constraint or a mesh: %+v", p)
		}
	})
}
