# Developer / CI entry points. Each target is a thin wrapper around a script
# in tests/tools/ (which see); pass extra arguments with ARGS="...", e.g.
#   make units ARGS="-k signer -x"      make sanity ARGS="--test pylint"

SHELL := /bin/bash
TOOLS := tests/tools
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv demo test sanity units integration bench clean

help: ## show this help
	@echo "Targets (quick start: make demo; make test):"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)$$/  \1\t\2/' | expand -t 16

venv: ## create/refresh .venv (Python 3.12) from tests/requirements-dev.txt
	@bash $(TOOLS)/venv.sh

demo: venv ## run playbooks/demo.yml against the emulator (or the cloud if ALIBABA_CLOUD_ACCESS_KEY_ID is set)
	@bash $(TOOLS)/demo.sh $(ARGS)

test: ## run every gate (venv, stage, sanity, units, integration) with a summary
	@bash $(TOOLS)/test.sh

sanity: venv ## ansible-test sanity (Python 3.12, --venv) on a staged copy
	@bash $(TOOLS)/sanity.sh $(ARGS)

units: venv ## pytest tests/unit on a staged copy
	@bash $(TOOLS)/units.sh $(ARGS)

integration: venv ## pytest tests/integration on a staged copy
	@bash $(TOOLS)/integration.sh $(ARGS)

bench: venv ## benchmark against the official SDK loop (docs/performance.md); ARGS="--repeat 3"
	@bash $(TOOLS)/bench.sh $(ARGS)

clean: ## remove .build/, .venv/ and tests/output/
	rm -rf .build .venv tests/output
