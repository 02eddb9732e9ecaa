# One entry point for every task. `make help` lists them.
SHELL := /bin/bash
PY ?= .venv/bin/python
SAM ?= .tools/sam/bin/sam
export PYTHONPATH := $(CURDIR)/layers/shared:$(CURDIR)

.PHONY: help setup web-vendor models up api test test-fast test-load checkov browser-test lint format typecheck bench demo batch base-image images integration validate clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup: .venv/.installed build/web-vendor/.installed ## create .venv with build, test and lint tools (+ espeak-ng, the page's npm libraries)
.venv/.installed: requirements/runtime.txt requirements/build.txt requirements/dev.txt requirements/quality.txt
	scripts/setup.sh
	touch $@

web-vendor: build/web-vendor/.installed ## the page's on-device libraries: npm ci, then the files it loads into build/web-vendor
build/web-vendor/.installed: web-vendor/package-lock.json web-vendor/gpl/package-lock.json scripts/web_vendor.sh
	scripts/web_vendor.sh
	touch $@

models: setup ## build the offline model bundles into build/models
	$(PY) -m model_build offline

PORT ?= 8000
# make up CONTAINERS=1: the functions in their images (make images first)
UP_ARGS := --port $(PORT) $(if $(CONTAINERS),--containers,) $(ARGS)

up: models ## the page, the HTTP API and the pipeline on http://127.0.0.1:8000 (Ctrl-C stops)
	$(PY) -m local_stack $(UP_ARGS)

api: models ## `make up` without opening a browser
	$(PY) -m local_stack --no-browser $(UP_ARGS)

browser-test: models ## the page in Chromium (needs: apt-get install chromium)
	$(PY) -m pytest tests/browser -q -m browser

test: models ## every unit, API, pipeline and model test (README's test command)
	$(PY) -m pytest tests/unit tests/helpers -q -n 2 -m "not load"

test-fast: setup ## the fast lane: no model bundles, no model builds (fakes; under 30 s)
	$(PY) -m pytest tests/unit tests/helpers -q -n 2 -m "not models and not slow and not load"

test-load: setup ## 200 concurrent uploads through the local stack (moto): nothing lost
	$(PY) -m pytest tests/unit -q -s -m load

# The complexity gate (xenon, radon grades): no function above C, no module above B, average A.
# The code that ships in the images (layers/, functions/) has no exemptions. Build-time and local
# tools get the same gate; none of their files is exempted today (exempt one with
# `--exclude path/file.py` on the second xenon line and a comment here saying why it must stay
# above C).
XENON := $(PY) -m xenon --max-absolute C --max-modules B --max-average A
lint: setup ## ruff lint + format check + complexity gate (xenon)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(XENON) layers/shared/image_to_speech functions
	$(XENON) model_build benchmarks pipeline_local local_stack scripts

format: setup ## ruff format + autofix
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck: setup ## mypy
	$(PY) -m mypy

bench: models ## benchmarks, written to docs/benchmarks.md
	$(PY) -m benchmarks

demo: models ## run the pipeline on a sample image (IMAGE=path to use your own)
	$(PY) -m pipeline_local demo $(if $(IMAGE),--image $(IMAGE),)

batch: models ## every image of a folder through the batch state machine (DIR=path [TIMEOUT=s])
	$(PY) -m pipeline_local batch $(DIR) $(if $(TIMEOUT),--timeout $(TIMEOUT),)

checkov: setup ## checkov on template.yaml and on the SAM-transformed template
	SAM_PYTHON=$(dir $(SAM))python scripts/checkov.sh

validate: setup ## sam validate --lint, batch.asl.json up to date with the pipeline, the ASL check
	$(SAM) validate --lint --region us-east-1
	$(PY) scripts/build_batch_asl.py --check
	scripts/validate_asl.sh

base-image: ## local stand-in for public.ecr.aws/lambda/python:3.13 (podman)
	scripts/base_image.sh

images: models base-image ## sam build the three function images with podman
	scripts/sam_build.sh

integration: images ## container tests: sam local invoke / start-api
	$(PY) -m pytest tests/integration -q -m integration

clean: ## remove build outputs
	rm -rf build .aws-sam
