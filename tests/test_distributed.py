"""--strategy mirrored over two logical CPU devices trains like one device."""

import json
import os
import pathlib
import subprocess
import sys
import textwrap

from apps.common import main
from apps.slot_filling import SlotFilling
from tests.test_slot_filling_app import TINY, write_slot_folder

ROOT = pathlib.Path(__file__).parent.parent


def test_mirrored_on_two_cpu_devices_matches_one_device(tmp_path):
    data = write_slot_folder(tmp_path / "flights", sizes=(160, 16, 16))
    flags = ["train", "--data-dir", str(data), "--epochs", "2", *TINY, "--batch-size", "8"]
    script = textwrap.dedent("""
        import sys
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from apps.common import main
        from apps.slot_filling import SlotFilling
        sys.exit(main(SlotFilling(), sys.argv[1:]))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script, *flags, "--output-dir", str(tmp_path / "mirrored"),
         "--strategy", "mirrored"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "strategy mirrored: 2 replicas" in done.stdout
    assert main(SlotFilling(), [*flags, "--output-dir", str(tmp_path / "single")]) == 0
    histories = {}
    for name in ("mirrored", "single"):
        rows = (tmp_path / name / "history.csv").read_text().splitlines()
        header = rows[0].split(",")
        histories[name] = dict(zip(header, map(float, rows[-1].split(","))))
    # Same data, seed and global batch; the mirrored run drops the uneven last batch
    # of each length bucket, so its path differs a little.
    mirrored, single = histories["mirrored"]["val_loss"], histories["single"]["val_loss"]
    assert abs(mirrored - single) <= 0.05 * single, (mirrored, single)


def test_multi_worker_explains_the_keras_limitation(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["127.0.0.1:1"]},
                                                "task": {"type": "worker", "index": 0}}))
    data = write_slot_folder(tmp_path / "flights", sizes=(10, 4, 4))
    code = main(SlotFilling(), ["train", "--data-dir", str(data), "--output-dir",
                                str(tmp_path / "mw"), "--strategy", "multi_worker"])
    assert code == 2 and "keras-team/keras#20585" in capsys.readouterr().err
