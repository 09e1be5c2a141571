# The two commands a new machine needs: `make run` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help install run test shell train train-recommender seed samples validate bench improve

help:
	@echo "make run      install if needed, seed the shop database, train if needed, start everything"
	@echo "make test     install and train if needed, ruff check, validate data, run pytest and Rasa test stories"
	@echo "make shell    talk to the assistant in the terminal (rasa shell, action server up)"
	@echo "make train    (re)train the Rasa model if data, domain or config changed"
	@echo "make train-recommender  retrain the recommender from the shop database"
	@echo "make seed     migrate and seed the shop database if it is empty"
	@echo "make samples  print order numbers and phone suffixes of the seeded shop to try in the chat"
	@echo "make bench    run the benchmarks in bench/ (slow; prints figures; WHICH='nlu conversation' for some)"
	@echo "make improve  review the messages the assistant did not understand, add them to data/nlu (ARGS='--days 7')"

install:
	@bash scripts/install.sh

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

shell:
	@bash scripts/shell.sh

train: install
	@bash scripts/train.sh

train-recommender: install
	@source scripts/env.sh && python -m assistant.recommender_training

seed: install
	@source scripts/env.sh && python -m shop.db.bootstrap

samples: install
	@source scripts/env.sh && python -m shop.seed.samples $(ARGS)

validate: install
	@source scripts/env.sh && rasa data validate --domain domain.yml --data data --config config.yml

bench: install
	@bash scripts/bench.sh $(WHICH)

# The operator's NLU improvement loop (README, "Improving the NLU from real conversations"):
# reads the conversation store the server uses. ARGS passes options, e.g.
# make improve ARGS="--since 2026-12-01", ARGS="--export review.yml", ARGS="--apply review.yml".
improve: install
	@source scripts/env.sh && python -m shop_nlu.improve $(ARGS)
