# mcfem — build, run and test. `make run` needs only Go; `make test` runs the whole suite.
GO      ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
LDFLAGS := -X mcfem/cli.version=$(VERSION)
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
# MPI library for build-mpi: openmpi (default) or mpich. Flags come from pkg-config, falling
# back to the mpicc wrapper (scripts/mpi-flags.sh).
MPI     ?= openmpi

PREFIX  ?= /usr/local

.PHONY: all build build-mpi install run test test-builds test-mpi test-slurm vet lint bench clean

all: build

## build: the pure-Go binary ./mcfem (in-process ranks; no MPI needed)
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o mcfem .

## build-mpi: ./mcfem with the MPI backend (cgo, -tags mpi); MPI=mpich for MPICH
build-mpi:
	CGO_ENABLED=1 CGO_CFLAGS="$$(scripts/mpi-flags.sh cflags $(MPI))" CGO_LDFLAGS="$$(scripts/mpi-flags.sh libs $(MPI))" \
		$(GO) build -tags mpi -ldflags "$(LDFLAGS)" -o mcfem .

## install: ./mcfem (as built: `make build-mpi install` installs the MPI build; built pure-Go
## when absent) into $(PREFIX)/bin, and what users run beside it into $(PREFIX)/share/mcfem:
## scripts/scaling.sh, the sbatch template, the example problem files
install:
	@[ -x mcfem ] || $(MAKE) build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mcfem/problems/manufactured
	install -m 755 mcfem $(DESTDIR)$(PREFIX)/bin/mcfem
	install -m 755 scripts/scaling.sh $(DESTDIR)$(PREFIX)/share/mcfem/scaling.sh
	install -m 644 scripts/slurm/mcfem.sbatch $(DESTDIR)$(PREFIX)/share/mcfem/mcfem.sbatch
	install -m 644 problems/*.json $(DESTDIR)$(PREFIX)/share/mcfem/problems/
	install -m 644 problems/manufactured/* $(DESTDIR)$(PREFIX)/share/mcfem/problems/manufactured/
	@echo "installed $(DESTDIR)$(PREFIX)/bin/mcfem ($$(./mcfem version | head -1)) and $(DESTDIR)$(PREFIX)/share/mcfem"

## run: the Kratos tutorial's default campaign (problems/tutorial.json) on in-process ranks
run: build
	./mcfem run -problem problems/tutorial.json

## test: formatting, vet, every Go test; the same tests built with GOAMD64=v3 and -tags
## purego, arm64 vet, no fused multiply-add, generated files up to date (scripts/test-builds.sh);
## then the MPI tests under mpirun (installs OpenMPI with apt-get when missing and possible;
## otherwise says loudly that they were skipped), then the SLURM checks (scripts/slurm/test-slurm.sh)
test: vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) test -count=1 ./...
	scripts/test-builds.sh
	scripts/test-mpi.sh
	timeout -k 10 600 scripts/slurm/test-slurm.sh

## test-builds: only the build-independence tests (GOAMD64=v3, purego, arm64 vet, fma-check, generated files)
test-builds:
	scripts/test-builds.sh

## test-slurm: a throwaway one-node SLURM (slurm-wlm and munge, installed with apt-get when
## missing; needs root, else it says it was skipped): srun with and without PMI, the sbatch
## template to VALID, stopped by its signal and resumed, cancelled and resubmitted
test-slurm:
	timeout -k 10 600 scripts/slurm/test-slurm.sh

## test-mpi: only the MPI tests (conformance suite and end-to-end runs under mpirun)
test-mpi:
	scripts/test-mpi.sh

vet:
	$(GO) vet ./...

## lint: vet and staticcheck (fetched through the Go module proxy), with and without -tags mpi
lint: vet
	$(GO) run $(STATICCHECK) ./...
	@if command -v mpicc >/dev/null; then \
		export CGO_CFLAGS="$$(scripts/mpi-flags.sh cflags $(MPI))" CGO_LDFLAGS="$$(scripts/mpi-flags.sh libs $(MPI))"; \
		$(GO) vet -tags mpi ./... && $(GO) run $(STATICCHECK) -tags mpi ./...; \
	else echo "lint: no MPI found: -tags mpi not checked"; fi

## bench: Go benchmarks of the kernels and the sample loop
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./sparse/ ./solver/ ./chol/ ./bench/

clean:
	rm -f mcfem
