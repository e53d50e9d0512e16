# Thin wrappers over the npm scripts, plus the SAM CLI steps that need node_modules/.bin on PATH:
# SAM's esbuild workflow looks for the esbuild binary there, not in devDependencies.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

FUNCTION ?= MultiplyFunction
EVENT ?= events/multiply.json

.PHONY: install build test lint typecheck start debug invoke fake-binance bench deploy

install:
	npm ci

build:
	npm run build

test:
	npm test

lint:
	npm run lint

typecheck:
	npm run typecheck

start:
	npm start

# The same with the inspector on 127.0.0.1:9229: attach VS Code ("Attach to the emulator") or chrome://inspect.
debug:
	npm run debug

invoke:
	npm run -s invoke -- $(FUNCTION) -e $(EVENT)

# An offline stand-in for Binance on :4010, for `npm start -- -n env.json` (see the README).
fake-binance:
	npm run fake-binance

bench:
	npm run bench

deploy:
	sam build && sam deploy --guided
