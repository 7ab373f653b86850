# docker-multihost. The two commands a newcomer needs: `make up` and `make test`.
STACK ?= sandbox
PY := venv/bin/python
PULUMI_ENV := . scripts/pulumi-env.sh &&

.PHONY: up test integration e2e tools images venv preview destroy inspect clean

up:            ## stand the topology up (sandbox by default) and print the ping results
	bash scripts/up.sh

test: venv     ## unit tests (Pulumi mocks; no network, no root)
	$(PY) -m pytest -q tests

integration: venv images  ## the host layer on real sandbox hosts (root, local engine): engines, Consul, overlay, pings
	bash scripts/local-engine.sh start
	$(PY) -m pytest -q -rP -m integration tests/integration

e2e:           ## the sandbox for real: up, check pings and keystore, up again, destroy, leftovers
	bash scripts/e2e.sh

tools:         ## the Pulumi CLI and provider plugins (found, installed, or built from the Go module proxy)
	bash scripts/tools.sh

images:        ## sandbox host, Consul and probe images, built without a registry
	bash scripts/images.sh

venv: venv/.installed
venv/.installed: requirements.txt
	python3 -m venv venv
	venv/bin/pip install -q -r requirements.txt
	touch $@

preview: venv  ## pulumi preview of STACK (the dev stack needs no VM for this)
	bash scripts/tools.sh >/dev/null
	$(PULUMI_ENV) pulumi stack select --create $(STACK) >/dev/null && pulumi preview --stack $(STACK)

destroy:       ## remove everything STACK created
	$(PULUMI_ENV) pulumi destroy --stack $(STACK) --yes

inspect: venv  ## what the keystore holds: registered engines, overlay networks and subnets
	$(PULUMI_ENV) $(PY) -m multihost.inspect_keystore "$$(pulumi stack output --stack $(STACK) consulUrl)"

clean:
	rm -rf .sandbox .pytest_cache
