package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"mcfem/internal/setting"
)

// flagSet is a subcommand's flags: parse errors are printed by the caller as one line, and -h
// prints the synopsis and every flag with its default on stdout.
type flagSet struct {
	*flag.FlagSet
	synopsis string
}

func newFlagSet(name, synopsis string) flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return flagSet{fs, synopsis}
}

// parse parses args; it returns -1 to go on, or the exit code to return.
func (fs flagSet) parse(args []string, stdout, stderr io.Writer) int {
	err := fs.Parse(joinResumeAuto(args))
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "Usage: %s [flags]\n\n%s\n\nFlags:\n", fs.Name(), fs.synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v (see %s -h)\n", fs.Name(), fs.explain(err), fs.Name())
		return exitUsage
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see %s -h)\n", fs.Name(), fs.Arg(0), fs.Name())
		return exitUsage
	}
	return -1
}

// usageError prints a configuration error as one line naming the flag and its valid range.
func usageError(fs flagSet, err error, stderr io.Writer) int {
	var fe *setting.Error
	if errors.As(err, &fe) {
		fmt.Fprintf(stderr, "%s: -%s %s: want %s\n", fs.Name(), fe.Field, fe.Value, fe.Want)
	} else {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
	}
	return exitUsage
}

// badValue matches the flag package's error for a value its flag does not take.
var badValue = regexp.MustCompile(`^invalid value ("(?:[^"\\]|\\.)*") for flag -([^:]+): (.*)$`)

// explain rewrites the flag package's "invalid value "x" for flag -samples: parse error" to say
// what the flag wants: "invalid value "x" for flag -samples: want an integer"; to its
// "flag provided but not defined: -sample" it adds the nearest flag: "; did you mean -samples?".
func (fs flagSet) explain(err error) string {
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		return err.Error() + didYouMean("-", name, fs.names())
	}
	m := badValue.FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	f := fs.Lookup(m[2])
	if f == nil {
		return err.Error()
	}
	return fmt.Sprintf("invalid value %s for flag -%s: %s", m[1], m[2], flagWant(f, errors.New(m[3])))
}

// names returns the names of fs's flags, in lexical order.
func (fs flagSet) names() []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// resumeFlag is -resume: a boolean (-resume, -resume=false) that also takes auto
// (-resume=auto; parseArgs joins "-resume auto").
type resumeFlag struct{ on, auto *bool }

func (f resumeFlag) IsBoolFlag() bool { return true }

func (f resumeFlag) String() string {
	switch {
	case f.auto != nil && *f.auto:
		return "auto"
	case f.on != nil && *f.on:
		return "true"
	}
	return "false"
}

func (f resumeFlag) Set(v string) error {
	switch v {
	case "auto":
		*f.on, *f.auto = false, true
	case "true", "1":
		*f.on, *f.auto = true, false
	case "false", "0":
		*f.on, *f.auto = false, false
	default:
		return fmt.Errorf("%q: want true, false or auto", v)
	}
	return nil
}

// joinResumeAuto returns args with "-resume auto" (or "--resume auto") written as
// "-resume=auto": a boolean flag takes no separate value.
func joinResumeAuto(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if a := args[i]; (a == "-resume" || a == "--resume") && i+1 < len(args) && args[i+1] == "auto" {
			out = append(out, a+"=auto")
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}
