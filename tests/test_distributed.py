"""tf.distribute: mirrored over two logical CPU devices, and two workers on 127.0.0.1."""

import json
import os
import pathlib
import socket
import subprocess
import sys
import textwrap

import pytest

from apps.harness import main
from apps.slot_filling.app import SlotFilling
from tests.test_slot_filling_app import TINY, write_slot_folder

pytestmark = pytest.mark.app  # trains an app

ROOT = pathlib.Path(__file__).parent.parent


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _last_epoch(folder):
    rows = (folder / "history.csv").read_text().splitlines()
    return dict(zip(rows[0].split(","), map(float, rows[-1].split(","))))


MIRRORED = textwrap.dedent("""
    import sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from apps.harness import main
    from apps.slot_filling.app import SlotFilling
    sys.exit(main(SlotFilling(), sys.argv[1:]))
""")


def _train_mirrored(flags, out):
    """Trains with --strategy mirrored over two logical CPU devices, in a subprocess."""
    done = subprocess.run(
        [sys.executable, "-c", MIRRORED, *flags, "--output-dir", str(out),
         "--strategy", "mirrored"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "strategy mirrored: 2 replicas" in done.stdout


def test_mirrored_on_two_cpu_devices_matches_one_device(tmp_path):
    data = write_slot_folder(tmp_path / "flights", sizes=(160, 16, 16))
    flags = ["train", "--data-dir", str(data), "--epochs", "2", *TINY, "--batch-size", "8"]
    _train_mirrored(flags, tmp_path / "mirrored")
    assert main(SlotFilling(), [*flags, "--output-dir", str(tmp_path / "single")]) == 0
    # Same data, seed and global batch; the mirrored run drops the uneven last batch
    # of each length bucket, so its path differs a little.
    mirrored = _last_epoch(tmp_path / "mirrored")["val_loss"]
    single = _last_epoch(tmp_path / "single")["val_loss"]
    assert abs(mirrored - single) <= 0.05 * single, (mirrored, single)


def test_multi_worker_on_two_local_processes_matches_one_device(tmp_path):
    data = write_slot_folder(tmp_path / "flights", sizes=(160, 16, 16))
    # No dropout: each replica would draw its own masks, unlike one device.
    flags = ["train", "--data-dir", str(data), "--epochs", "2", *TINY, "--batch-size", "8",
             "--dropout", "0", "--inter-op-threads", "1", "--intra-op-threads", "1"]
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    out = tmp_path / "mw"
    processes = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CONFIG": json.dumps(config)}
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "apps.slot_filling", *flags, "--output-dir", str(out),
             "--strategy", "multi_worker"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True))
    try:
        results = [p.communicate(timeout=600) for p in processes]
    finally:
        for process in processes:
            process.kill()
    for process, (_, stderr) in zip(processes, results):
        assert process.returncode == 0, stderr[-3000:]
    assert "strategy multi_worker: 2 replicas" in results[0][0]
    chief, other = _last_epoch(out), _last_epoch(tmp_path / "mw.worker-1")
    assert chief == other  # one model, trained in step on both workers
    assert (out / "saved_model" / "saved_model.pb").exists()
    # Two workers with one replica each compute what one process with two replicas
    # does (same global batches, same dropped uneven batches), which in turn trains
    # like one device (the test above).
    _train_mirrored(flags, tmp_path / "mirrored")
    mirrored = _last_epoch(tmp_path / "mirrored")
    for key in ("loss", "val_loss"):
        assert abs(chief[key] - mirrored[key]) <= 0.01 * mirrored[key], (chief, mirrored)


def test_multi_worker_without_tf_config_is_a_user_error(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    data = write_slot_folder(tmp_path / "flights", sizes=(10, 4, 4))
    code = main(SlotFilling(), ["train", "--data-dir", str(data), "--output-dir",
                                str(tmp_path / "mw"), "--strategy", "multi_worker"])
    assert code == 2 and "TF_CONFIG" in capsys.readouterr().err
