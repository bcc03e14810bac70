package socialauth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADMESnippetsCompile builds every ```go block of README.md where a
// reader would put it, so that the README cannot drift from the API:
//
//   - A block that starts with a package clause is a whole file: it is built
//     as it is, in a package of its own in a new module (a host's), which
//     reaches this repository through a replace directive and so sees only
//     its public packages.
//   - A block of top-level declarations (funcs, vars, types) is built in that
//     host module too, in a file the test completes with a package clause
//     and the imports its qualified names need (socialauth.X, pipeline.X,
//     fmt.X: see importPaths). The one exception is a contributor's snippet:
//     when every name it uses unqualified is declared by one package of this
//     module (as the README's new backend uses backends.Provider and
//     backends' unexported decode), it is built inside that package, through
//     go build -overlay, since that is where the README says to put it.
//   - Any other block is a fragment of statements: it becomes the body of
//     func _(ctx context.Context, w http.ResponseWriter, r *http.Request),
//     with those three names in scope and the variables it declares at its
//     top level counted as used; every other name it uses must be declared
//     in the block.
//
// Host packages are checked with go vet (type errors and vet's checks);
// errors point at README.md lines.
func TestREADMESnippetsCompile(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	blocks := goBlocks(string(readme))
	require.NotEmpty(t, blocks, "README.md has ```go blocks")
	b := newSnippetBuilder(t)
	for _, bl := range blocks {
		t.Run(fmt.Sprintf("README.md:%d", bl.line), func(t *testing.T) {
			if out, err := b.build(t, bl); err != nil {
				t.Errorf("the ```go block at README.md:%d does not build (%v):\n%s", bl.line, err, out)
			}
		})
	}
}

// TestSnippetBuilderFails: the builder refuses what a reader could not
// compile, in each of the three forms.
func TestSnippetBuilderFails(t *testing.T) {
	b := newSnippetBuilder(t)
	for name, src := range map[string]string{
		"whole file":   "package main\n\nimport \"github.com/go-socialauth/socialauth\"\n\nfunc main() { socialauth.DoAuthIDToken() }\n",
		"declarations": "var svc, _ = socialauth.New(socialauth.Config{Storage: memory.New()})\n\nfunc f() { svc.DoAuth() }\n",
		"statements":   "res, err := socialauth.DoAuth(ctx, token)\n",
	} {
		t.Run(name, func(t *testing.T) {
			out, err := b.build(t, codeBlock{line: 7, src: src})
			require.Error(t, err, "built:\n%s", src)
			assert.Contains(t, out, "README.md:")
		})
	}
	out, err := b.build(t, codeBlock{line: 1, src: "res, err := socialauth.DoAuth(r.Context(), \"dev-a\")\n"})
	assert.NoError(t, err, "a fragment with its given names builds:\n%s", out)
}

type codeBlock struct {
	line int    // the README line of the block's first line of code
	src  string // the code
}

// goBlocks returns the fenced ```go blocks of a Markdown text.
func goBlocks(md string) []codeBlock {
	var (
		blocks []codeBlock
		cur    *codeBlock
	)
	for i, l := range strings.Split(md, "\n") {
		switch trimmed := strings.TrimSpace(l); {
		case cur == nil && trimmed == "```go":
			cur = &codeBlock{line: i + 2}
		case cur != nil && trimmed == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.src += l + "\n"
		}
	}
	return blocks
}

type snippetBuilder struct {
	*hostModule
	imports map[string]string // package name → import path
	decls   map[string]map[string]bool
	dirs    map[string]string // import path → directory in repo
	n       int
}

const modulePath = "github.com/go-socialauth/socialauth"

// importPaths are the standard packages a snippet may use qualified without
// an import line; the module's own packages are found by walking it.
var importPaths = map[string]string{
	"context": "context", "errors": "errors", "fmt": "fmt", "http": "net/http", "os": "os",
	"slog": "log/slog", "json": "encoding/json", "testing": "testing", "time": "time",
	"strings": "strings", "io": "io", "log": "log", "sql": "database/sql", "httptest": "net/http/httptest",
}

func newSnippetBuilder(t *testing.T) *snippetBuilder {
	t.Helper()
	b := &snippetBuilder{hostModule: newHostModule(t), imports: map[string]string{}, decls: map[string]map[string]bool{}, dirs: map[string]string{}}
	for name, p := range importPaths {
		b.imports[name] = p
	}
	b.scanModule(t)
	return b
}

// hostModule is a new module, in a temporary folder, that requires this
// one through a replace directive: what a host's own module sees.
type hostModule struct {
	repo string // this module's root
	host string // the host module's root
}

func newHostModule(t *testing.T) *hostModule {
	t.Helper()
	repo, err := filepath.Abs(".")
	require.NoError(t, err)
	mod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	require.NoError(t, err)
	goLine := regexp.MustCompile(`(?m)^go \S+$`).FindString(string(mod))
	require.NotEmpty(t, goLine)
	h := &hostModule{repo: repo, host: t.TempDir()}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(h.host, "go.sum"), sum, 0o644))
	gomod := fmt.Sprintf("module example.com/host\n\n%s\n\nrequire %s v0.0.0\n\nreplace %s => %s\n", goLine, modulePath, modulePath, repo)
	require.NoError(t, os.WriteFile(filepath.Join(h.host, "go.mod"), []byte(gomod), 0o644))
	return h
}

// goCmd runs the go command in dir. It may complete the host's go.mod
// (-mod=mod), never this module's.
func (h *hostModule) goCmd(dir string, args ...string) (string, error) {
	mod := "-mod=mod"
	if dir == h.repo {
		mod = "-mod=readonly"
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS="+mod, "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// scanModule records the name and top-level declarations of each public
// package of the module (not internal/, not commands, not nested modules).
func (b *snippetBuilder) scanModule(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(b.repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(b.repo, p)
		rel = filepath.ToSlash(rel)
		base := d.Name()
		if rel != "." && (strings.HasPrefix(base, ".") || base == "testdata" || base == "internal" || base == "examples") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && rel != "." {
			return filepath.SkipDir
		}
		files, _ := filepath.Glob(filepath.Join(p, "*.go"))
		importPath := modulePath
		if rel != "." {
			importPath += "/" + rel
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			name := file.Name.Name
			if name == "main" {
				return nil
			}
			if other, dup := b.imports[name]; dup && other != importPath {
				return fmt.Errorf("two packages are named %s (%s, %s): a snippet's %s.X is ambiguous", name, other, importPath, name)
			}
			b.imports[name] = importPath
			b.dirs[importPath] = p
			if b.decls[importPath] == nil {
				b.decls[importPath] = map[string]bool{}
			}
			for n := range topLevelNames(file) {
				b.decls[importPath][n] = true
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, b.imports, "socialauth")
}

func topLevelNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				names[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names[n.Name] = true
					}
				}
			}
		}
	}
	return names
}

// build writes the block where its form says (see TestREADMESnippetsCompile)
// and checks it, returning the go command's output.
func (b *snippetBuilder) build(t *testing.T, bl codeBlock) (string, error) {
	b.n++
	lineDirective := fmt.Sprintf("//line README.md:%d\n", bl.line)
	fset := token.NewFileSet()
	if strings.HasPrefix(strings.TrimSpace(bl.src), "package ") {
		t.Logf("README.md:%d: a whole file, vetted in a host module", bl.line)
		return b.vetHost(t, lineDirective+bl.src)
	}
	if f, err := parser.ParseFile(fset, "", "package snippet\n"+bl.src, parser.SkipObjectResolution); err == nil {
		free := freeNames(f)
		if pkg := b.packageDeclaring(free); pkg != "" {
			t.Logf("README.md:%d: declarations that use %s unqualified, built inside %s", bl.line, strings.Join(free, ", "), pkg)
			return b.buildInside(t, pkg, f, lineDirective+bl.src)
		}
		t.Logf("README.md:%d: declarations, vetted in a host module", bl.line)
		return b.vetHost(t, "package snippet\n\n"+b.importsFor(f, "")+lineDirective+bl.src)
	}
	const given = "func _(ctx context.Context, w http.ResponseWriter, r *http.Request) {\n"
	wrapped := "package snippet\n" + given + bl.src + "}\n"
	f, err := parser.ParseFile(fset, "", wrapped, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Sprintf("README.md:%d: neither declarations nor statements: %v", bl.line, err), err
	}
	t.Logf("README.md:%d: statements, vetted as a function body in a host module", bl.line)
	var used []string
	for _, st := range f.Decls[0].(*ast.FuncDecl).Body.List {
		for _, n := range definedBy(st) {
			used = append(used, "_ = "+n+"\n")
		}
	}
	src := "package snippet\n\n" + b.importsFor(f, "context", "net/http") + given + lineDirective + bl.src + strings.Join(used, "") + "}\n"
	return b.vetHost(t, src)
}

// definedBy returns the names a statement declares in its block.
func definedBy(st ast.Stmt) []string {
	var names []string
	switch st := st.(type) {
	case *ast.AssignStmt:
		if st.Tok == token.DEFINE {
			for _, e := range st.Lhs {
				if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
					names = append(names, id.Name)
				}
			}
		}
	case *ast.DeclStmt:
		if g, ok := st.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, s := range g.Specs {
				for _, id := range s.(*ast.ValueSpec).Names {
					if id.Name != "_" {
						names = append(names, id.Name)
					}
				}
			}
		}
	}
	return names
}

// importsFor is the import block for the package names f uses qualified
// and does not declare, plus the given paths.
func (b *snippetBuilder) importsFor(f *ast.File, given ...string) string {
	declared := declaredNames(f)
	paths := map[string]string{}
	for _, p := range given {
		if p != "" {
			paths[path.Base(p)] = p
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && !declared[x.Name] {
				if p, known := b.imports[x.Name]; known {
					paths[x.Name] = p
				}
			}
		}
		return true
	})
	if len(paths) == 0 {
		return ""
	}
	var lines []string
	for name, p := range paths {
		lines = append(lines, fmt.Sprintf("\t%s %q\n", name, p))
	}
	slices.Sort(lines)
	return "import (\n" + strings.Join(lines, "") + ")\n\n"
}

// declaredNames is every name f declares anywhere, in any scope.
func declaredNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	add := func(ids ...*ast.Ident) {
		for _, id := range ids {
			names[id.Name] = true
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			add(n.Name)
		case *ast.Field:
			add(n.Names...)
		case *ast.TypeSpec:
			add(n.Name)
		case *ast.ValueSpec:
			add(n.Names...)
		case *ast.ImportSpec:
			if n.Name != nil {
				add(n.Name)
			} else {
				p := strings.Trim(n.Path.Value, `"`)
				names[path.Base(p)] = true
			}
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, e := range n.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						add(id)
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						add(id)
					}
				}
			}
		case *ast.LabeledStmt:
			add(n.Label)
		}
		return true
	})
	return names
}

// freeNames are the names f uses unqualified without declaring them, other
// than Go's predeclared ones and package names.
func freeNames(f *ast.File) []string {
	declared := declaredNames(f)
	skip := map[*ast.Ident]bool{f.Name: true}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			skip[n.Sel] = true
			if x, ok := n.X.(*ast.Ident); ok && !declared[x.Name] {
				skip[x] = true // a package name
			}
		case *ast.CompositeLit:
			for _, e := range n.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok {
						skip[id] = true // a field name
					}
				}
			}
		case *ast.BranchStmt:
			if n.Label != nil {
				skip[n.Label] = true
			}
		}
		return true
	})
	seen := map[string]bool{}
	var free []string
	ast.Inspect(f, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || skip[id] || declared[id.Name] || id.Name == "_" || seen[id.Name] || types.Universe.Lookup(id.Name) != nil {
			return true
		}
		seen[id.Name] = true
		free = append(free, id.Name)
		return true
	})
	return free
}

// packageDeclaring returns the one module package that declares every name
// in free, or "".
func (b *snippetBuilder) packageDeclaring(free []string) string {
	if len(free) == 0 {
		return ""
	}
	var found []string
	for p, decls := range b.decls {
		if !slices.ContainsFunc(free, func(n string) bool { return !decls[n] }) {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

// vetHost checks src as a package of the host module.
func (b *snippetBuilder) vetHost(t *testing.T, src string) (string, error) {
	dir := fmt.Sprintf("snippet%d", b.n)
	require.NoError(t, os.MkdirAll(filepath.Join(b.host, dir), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(b.host, dir, "snippet.go"), []byte(src), 0o644))
	return b.goCmd(b.host, "vet", "./"+dir)
}

// buildInside builds the module package importPath with src as one more
// file, without writing into the repository.
func (b *snippetBuilder) buildInside(t *testing.T, importPath string, f *ast.File, src string) (string, error) {
	pkgName := ""
	for name, p := range b.imports {
		if p == importPath {
			pkgName = name
		}
	}
	tmp := t.TempDir()
	file := filepath.Join(tmp, "snippet.go")
	full := "package " + pkgName + "\n\n" + b.importsFor(f, "") + src
	require.NoError(t, os.WriteFile(file, []byte(full), 0o644))
	target := filepath.Join(b.dirs[importPath], fmt.Sprintf("readme_snippet_%d.go", b.n))
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {target: file}})
	require.NoError(t, err)
	overlayFile := filepath.Join(tmp, "overlay.json")
	require.NoError(t, os.WriteFile(overlayFile, overlay, 0o644))
	return b.goCmd(b.repo, "build", "-overlay="+overlayFile, importPath)
}
