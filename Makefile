# mcfem — build, run and test. `make run` needs only Go; `make test` runs the whole suite.
GO      ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
LDFLAGS := -X main.version=$(VERSION)
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build run test vet lint bench clean

all: build

## build: the pure-Go binary ./mcfem (in-process ranks; no MPI needed)
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o mcfem .

## run: the seed's default campaign on in-process ranks
run: build
	./mcfem run

## test: formatting, vet and every test
test: vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

## lint: vet and staticcheck (fetched through the Go module proxy)
lint: vet
	$(GO) run $(STATICCHECK) ./...

## bench: Go benchmarks of the kernels and the sample loop
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./fem/ ./bench/

clean:
	rm -f mcfem
