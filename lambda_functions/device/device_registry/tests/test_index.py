import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "handler_" + pathlib.Path(__file__).resolve().parents[1].name, pathlib.Path(__file__).resolve().parents[1] / "index.py")
index = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(index)


def test_valid_device_has_no_problems():
    assert index.validate_device({"serial": "ABCD1234", "model": "x1"}) == []


def test_bad_serial_and_missing_model():
    problems = index.validate_device({"serial": "abc"})
    assert len(problems) == 2
