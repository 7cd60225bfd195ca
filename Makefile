# The two commands a user needs are `make demo` and `make test`; each sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tests that run on every backend carry the `backends` marker (`pytestmark = pytest.mark.backends`);
# tests/test_markers.py fails when a layer test forgets it.

.PHONY: install demo lessons lecture test test-tensorflow test-jax test-torch lint bench wheel clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m apps.demo

# Every lesson (~15 min in all on one core; docs/lessons.md); one: `python -m apps.lessons rtrl --output-dir DIR`.
lessons: $(STAMP)
	$(BIN)/python -m apps.lessons all --output-dir lessons-output

# The lecture's worked examples, now the first lesson.
lecture: $(STAMP)
	$(BIN)/python -m apps.lessons toy_networks --output-dir lessons-output

test: test-tensorflow test-jax test-torch

# Two pytest workers (pytest-xdist), each module on one worker so that its fixtures are
# built once: on the 2-core CI machine the TensorFlow run took 9:39 (fresh-clone .ci/run,
# 2026-12-01) against 18:50 in one process the day before (much of each app test is
# single-threaded Python: imports, tracing, tf.data set-up).
# `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadscope

test-tensorflow: $(STAMP)
	KERAS_BACKEND=tensorflow $(PYTEST)

test-jax: $(STAMP)
	KERAS_BACKEND=jax $(PYTEST) -m backends

# PyTorch is not a dependency (its default wheel is a multi-GB CUDA build); the torch
# run happens wherever torch is installed, e.g. `.venv/bin/pip install torch`.
test-torch: $(STAMP)
	@if $(BIN)/python -c "import torch" 2>/dev/null; then \
		echo "KERAS_BACKEND=torch $(PYTEST) -m backends"; \
		KERAS_BACKEND=torch $(PYTEST) -m backends; \
	else \
		echo "torch is not installed in $(VENV): skipping the PyTorch backend run"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.cells

# Builds the wheel and proves it installs and imports in a fresh virtual environment.
wheel: $(STAMP)
	rm -rf dist build/wheel-venv
	$(BIN)/python -m build --wheel --outdir dist
	$(PYTHON) -m venv build/wheel-venv
	build/wheel-venv/bin/python -m pip install --quiet dist/kerasrnn-*.whl
	cd build && wheel-venv/bin/python -c "import kerasrnn, kerasrnn.layers as l; \
		print('installed wheel: kerasrnn', kerasrnn.__version__, 'from', kerasrnn.__file__); \
		assert 'site-packages' in kerasrnn.__file__; l.PeepholeLSTM(2)"
	# Saved runs of every app configuration load with the wheel after `import kerasrnn`.
	cd build && wheel-venv/bin/python ../tests/fixtures/check_runs_load.py --installed \
		$(addprefix ../,$(dir $(wildcard tests/fixtures/runs_v*/*/model.keras)))

clean:
	rm -rf $(VENV) dist build *.egg-info
