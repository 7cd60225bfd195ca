"""atomic_write and write_json: a failed write leaves nothing behind; JSON is UTF-8."""

import json

import pytest

from kerasrnn.training.atomic import atomic_write, write_json


def test_a_failing_writer_leaves_no_file_and_no_temporary_file(tmp_path):
    def write(tmp):
        with open(tmp, "w") as file:
            file.write("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "out.txt", write)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_writer_keeps_the_previous_file(tmp_path):
    path = tmp_path / "out.json"
    write_json(path, {"a": 1})
    with pytest.raises(TypeError):
        write_json(path, {1: "x", "b": 2})  # sort_keys cannot order int and str keys

    def write(tmp):
        with open(tmp, "w") as file:
            file.write('{"a": 2')
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        atomic_write(path, write)
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_the_temporary_name_is_in_the_same_folder_and_keeps_the_suffix(tmp_path):
    seen = []

    def write(tmp):
        seen.append(tmp)
        open(tmp, "w").close()

    assert atomic_write(str(tmp_path / "last.weights.h5"), write) == tmp_path / "last.weights.h5"
    (tmp,) = seen
    assert tmp.startswith(str(tmp_path) + "/") and tmp.endswith("last.weights.h5")
    assert tmp != str(tmp_path / "last.weights.h5")
    assert [p.name for p in tmp_path.iterdir()] == ["last.weights.h5"]


def test_json_round_trips_non_ascii_as_utf8(tmp_path):
    path = tmp_path / "metrics.json"
    data = {"zürich": "Größe ✈", "b": [1, 2.5, None], "a": tmp_path}
    write_json(path, data)
    raw = path.read_bytes()
    assert "Größe ✈".encode() in raw  # not \u escapes
    text = raw.decode("utf-8")
    assert text.endswith("}\n") and text.index('"a"') < text.index('"b"')
    assert text.startswith('{\n  "a"')  # indent=2, sorted keys
    assert json.loads(text) == {**data, "a": str(tmp_path)}  # default=str
