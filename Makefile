# docker-multihost. The two commands a newcomer needs: `make up` and `make test`.
STACK ?= sandbox
PY := venv/bin/python

# Every target (and the scripts it runs) uses this repo's Pulumi toolchain and a local, offline
# Pulumi: a file:// backend in .state and an empty passphrase unless you set your own.
# `eval "$$(make -s env)"` gives your shell the same, to run `pulumi` by hand.
export PATH := $(CURDIR)/.tools/official/bin:$(CURDIR)/.tools/bin:$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true
# Most steps wait on hosts, not on this machine: more at once than the default of 4 per core.
export PULUMI_PARALLEL ?= 64
export PULUMI_BACKEND_URL ?= file://$(CURDIR)/.state
ifeq ($(PULUMI_CONFIG_PASSPHRASE_FILE),)
export PULUMI_CONFIG_PASSPHRASE ?=
endif
export STACK

.PHONY: up test integration e2e bench faults check tools images engine venv preview refresh destroy forget-host inspect consul-ui logs graph contexts inventory lint-workflows env clean

up:            ## stand the topology up (sandbox by default) and print its hosts, overlay and ping matrix
	bash scripts/up.sh

test: venv     ## unit tests (Pulumi mocks; no network, no root)
	$(PY) -m pytest -q -n auto --dist worksteal tests

integration: venv engine images  ## the host layer on real sandbox hosts: engines, Consul, overlay, pings
	$(PY) -m pytest -q -rP -m integration tests/integration

e2e:           ## the sandbox for real: up, checks, up again, refresh, destroy, leftovers, secrets
	bash scripts/e2e.sh

bench: venv images tools | .state  ## time the sandbox with 2, 4 and 8 engines; overlay against underlay
	venv/bin/pip install -q -r requirements-bench.txt
	$(PY) scripts/bench.py

faults: venv images tools | .state  ## break things on a real 3-engine sandbox and check what users see
	$(PY) scripts/faults.py

tools:         ## the Pulumi CLI and plugins (found, installed, or built from UPSTREAM_SOURCES)
	@python3 scripts/tools.py >/dev/null

engine:        ## a local Docker engine (installed and started if none answers)
	@bash scripts/local-engine.sh start

images: engine ## sandbox host, Consul and probe images, built without a registry
	bash scripts/images.sh

venv: venv/.installed
venv/.installed: requirements.txt
	python3 -m venv venv
	venv/bin/pip install -q -r requirements.txt
	touch $@

# The state (its secrets are only as safe as the passphrase) and the sandbox's keys: for this user only.
.state:
	mkdir -p $@ .sandbox && chmod 700 $@ .sandbox

preview: venv tools | .state  ## pulumi preview of STACK (the dev stack needs no VM for this)
	pulumi stack select --create $(STACK) >/dev/null
	pulumi preview --stack $(STACK) --diff=false

refresh: venv tools | .state  ## what was removed or changed on STACK's hosts behind its back (pulumi refresh); `make up` makes it again
	@$(PY) -m ops.lock --stack $(STACK)
	pulumi refresh --stack $(STACK) --yes --skip-preview --diff=false

destroy: venv tools | .state  ## remove everything STACK created (says how to go on if a host is unreachable)
	@$(PY) -m ops.lock --stack $(STACK)
	@pulumi destroy --stack $(STACK) --yes --skip-preview || { $(PY) -m ops.reach --stack $(STACK); exit 1; }
	@$(PY) -m ops.contexts --stack $(STACK) --remove

forget-host: venv tools | .state  ## the stack forgets what lives on HOST, an unreachable existing machine
	@$(PY) -m ops.reach --stack $(STACK) --forget $(HOST)

inspect: venv tools | .state  ## what the keystore holds: registered engines, overlay networks and subnets
	@$(PY) -m ops.inspect --stack $(STACK)

logs: venv tools | .state  ## one archive of what each host of STACK says (engine log, docker info, rules, store) and the last up, secrets left out
	@$(PY) -m ops.logs --stack $(STACK)

consul-ui: venv tools | .state  ## the Consul UI of a kv STACK, through an SSH tunnel to its keystore host (Ctrl-C closes it)
	@$(PY) -m ops.consul_ui --stack $(STACK)

check: venv tools | .state  ## ping every pair again now, on the running STACK; exit 1 if any fails
	@$(PY) -m ops.check --stack $(STACK)

graph: venv tools | .state  ## STACK's topology and its pings as a picture: .sandbox/STACK/topology.svg and .png (needs graphviz)
	@$(PY) -m ops.graph --stack $(STACK)

contexts: venv tools | .state  ## a docker context per host of STACK (`docker --context mhs-demo1 ps`), over SSH with its key and pinned host key; make destroy removes them
	@$(PY) -m ops.contexts --stack $(STACK)

inventory: venv tools | .state  ## STACK's hosts for Ansible and ssh: .sandbox/STACK/inventory.ini and ssh_config
	@$(PY) -m ops.inventory --stack $(STACK)

lint-workflows:  ## check .github/workflows with actionlint (built with Go once, cached by version)
	@actionlint=$$(python3 scripts/tools.py actionlint) && "$$actionlint"

env:           ## print the environment above as shell exports
	@echo 'export PATH="$(PATH)"'
	@echo 'export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true'
	@echo 'export PULUMI_BACKEND_URL="$(PULUMI_BACKEND_URL)"'
	@[ -n "$(PULUMI_CONFIG_PASSPHRASE_FILE)" ] || echo 'export PULUMI_CONFIG_PASSPHRASE="$${PULUMI_CONFIG_PASSPHRASE:-}"'

clean:
	rm -rf .sandbox .pytest_cache
