# Developer / CI entry points. Each target is a thin wrapper around a script
# in tests/tools/ (which see); pass extra arguments with ARGS="...", e.g.
#   make units ARGS="-k signer -x"      make sanity ARGS="--test pylint"
#   make test ARGS="lint docsite"       (only those gates, with the summary)
# Every gate builds the pinned virtualenv it needs (.venv, .venv-NAME) on first use.

SHELL := /bin/bash
TOOLS := tests/tools
ARGS ?=

GATES := sanity units integration sanity-oldest units-oldest integration-oldest eda lint docs-lint \
         changelog ansible-doc build importer ee docsite installed-demo

.DEFAULT_GOAL := help
.PHONY: help venv venvs demo test bench docs-rst options changelog-release clean $(GATES)

help: ## show this help
	@echo "Targets (quick start: make demo; make test):"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)$$/  \1\t\2/' | expand -t 22

venv: ## create/refresh .venv (Python 3.12) from tests/requirements-dev.txt
	@bash $(TOOLS)/venv.sh

venvs: ## create/refresh every pinned virtualenv (.venv and .venv-*)
	@bash $(TOOLS)/venv.sh all

# ARGS reaches demo.sh unparsed (a shell would cut the JSON of -e '{"demo_group_ids": [...]}' at its spaces).
demo: export APPSTREAMING_DEMO_ARGS = $(ARGS)
demo: venv ## run playbooks/demo.yml against the emulator (or the cloud if ALIBABA_CLOUD_ACCESS_KEY_ID is set)
	@bash $(TOOLS)/demo.sh

test: ## run every gate (or the gates in ARGS) with a summary; what CI runs
	@bash $(TOOLS)/test.sh $(ARGS)

sanity: ## ansible-test sanity, newest ansible-core (no ignore entries, ever)
	@bash $(TOOLS)/sanity.sh $(ARGS)

units: ## pytest tests/unit, newest ansible-core
	@bash $(TOOLS)/units.sh $(ARGS)

integration: ## pytest tests/integration (real ansible runs against the emulator), newest ansible-core
	@bash $(TOOLS)/integration.sh $(ARGS)

sanity-oldest: ## ansible-test sanity on the oldest supported ansible-core (.venv-oldest)
	@bash $(TOOLS)/sanity-oldest.sh $(ARGS)

units-oldest: ## pytest tests/unit on the oldest supported ansible-core
	@bash $(TOOLS)/units-oldest.sh $(ARGS)

integration-oldest: ## pytest tests/integration on the oldest supported ansible-core
	@bash $(TOOLS)/integration-oldest.sh $(ARGS)

eda: ## the real ansible-rulebook runs the collection's rulebook and event source against the emulator (Java 17+)
	@bash $(TOOLS)/eda.sh $(ARGS)

lint: ## ansible-lint --profile production
	@bash $(TOOLS)/lint.sh $(ARGS)

docs-lint: ## antsibull-docs lint-collection-docs --plugin-docs; docs/docsite/rst up to date
	@bash $(TOOLS)/docs-lint.sh

changelog: ## antsibull-changelog lint; CHANGELOG.rst/.md up to date
	@bash $(TOOLS)/changelog.sh

ansible-doc: ## ansible-doc of the modules, the lookup and the role (newest and oldest core)
	@bash $(TOOLS)/ansible-doc.sh

build: ## ansible-galaxy collection build into .build/dist/ and check the tarball's contents
	@bash $(TOOLS)/build.sh

importer: ## galaxy-importer on the built tarball
	@bash $(TOOLS)/importer.sh

ee: ## ansible-builder create on examples/execution-environment.yml and check what the image installs
	@bash $(TOOLS)/ee.sh

docsite: ## build the HTML docsite (antsibull-docs + Sphinx) into .build/docsite/build/html
	@bash $(TOOLS)/docsite.sh

installed-demo: ## build, install the tarball into a fresh venv and run the installed demo playbook
	@bash $(TOOLS)/installed-demo.sh

docs-rst: ## regenerate docs/docsite/rst/*.rst from the Markdown guides in docs/
	@bash $(TOOLS)/docs-rst.sh

options: ## regenerate the connection options' docs (fragment, role argument specs, event source, precedence table) from plugins/module_utils/options.py
	@bash $(TOOLS)/options.sh $(ARGS)

changelog-release: ## fold changelogs/fragments into the release of galaxy.yml's version (antsibull-changelog release)
	@bash $(TOOLS)/changelog-release.sh $(ARGS)

bench: venv ## benchmark: vs the SDK loop and Ansible alone, growth, the gate, memory (docs/performance.md); ARGS="--repeat 3"
	@bash $(TOOLS)/bench.sh $(ARGS)

clean: ## remove .build/, the virtualenvs and tests/output/
	rm -rf .build .venv .venv-* tests/output
