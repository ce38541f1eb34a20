import json
import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "handler_" + pathlib.Path(__file__).resolve().parents[1].name, pathlib.Path(__file__).resolve().parents[1] / "index.py")
index = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(index)


def test_aggregate_counts_and_max():
    records = [{"body": json.dumps({"deviceId": "a", "temperature": t})} for t in (20, 25, None)]
    assert index.aggregate(records) == {"a": {"count": 3, "max_temperature": 25}}
