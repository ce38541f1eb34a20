import importlib.util
import pathlib

import pytest

_spec = importlib.util.spec_from_file_location(
    "handler_" + pathlib.Path(__file__).resolve().parents[1].name, pathlib.Path(__file__).resolve().parents[1] / "index.py")
index = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(index)


def test_merge_known_keys():
    assert index.merge_config({"reporting_interval": 60}, {"firmware_channel": "beta"}) == {
        "reporting_interval": 60, "firmware_channel": "beta"}


def test_unknown_key_rejected():
    with pytest.raises(ValueError):
        index.merge_config({}, {"colour": "red"})
