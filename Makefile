# One entry point for every task. `make help` lists them.
SHELL := /bin/bash
PY ?= .venv/bin/python
SAM ?= .tools/sam/bin/sam
export PYTHONPATH := $(CURDIR)/layers/shared:$(CURDIR)

.PHONY: help setup models test lint format typecheck bench demo batch api base-image images integration validate clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup: .venv/.installed ## create .venv with build, test and lint tools (+ espeak-ng)
.venv/.installed: requirements/runtime.txt requirements/build.txt requirements/dev.txt requirements/quality.txt
	scripts/setup.sh
	touch $@

models: setup ## build the offline model bundles into build/models
	$(PY) -m model_build offline

test: models ## unit and API tests (README's test command)
	$(PY) -m pytest tests/unit -q

lint: setup ## ruff lint + format check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup ## ruff format + autofix
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck: setup ## mypy
	$(PY) -m mypy

bench: models ## benchmarks, written to docs/benchmarks.md
	$(PY) -m benchmarks

demo: models ## run the pipeline on a sample image (IMAGE=path to use your own)
	$(PY) -m pipeline_local demo $(if $(IMAGE),--image $(IMAGE),)

batch: models ## run the pipeline on every image of a folder (DIR=path)
	$(PY) -m pipeline_local batch $(DIR)

api: models ## serve every route on 127.0.0.1:8000 with uvicorn, no containers
	$(PY) -m uvicorn local_api:app --app-dir scripts --host 127.0.0.1 --port 8000

validate: setup ## sam validate --lint and the ASL check
	$(SAM) validate --lint --region us-east-1
	scripts/validate_asl.sh

base-image: ## local stand-in for public.ecr.aws/lambda/python:3.13 (podman)
	scripts/base_image.sh

images: models base-image ## sam build the three function images with podman
	scripts/sam_build.sh

integration: images ## container tests: sam local invoke / start-api
	$(PY) -m pytest tests/integration -q -m integration

clean: ## remove build outputs
	rm -rf build .aws-sam
