import json
import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "handler_" + pathlib.Path(__file__).resolve().parents[1].name, pathlib.Path(__file__).resolve().parents[1] / "index.py")
index = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(index)


def test_post_valid_status_is_accepted():
    event = {"httpMethod": "POST", "pathParameters": {"deviceId": "d1"}, "body": json.dumps({"state": "online"})}
    result = index.lambda_handler(event, None)
    assert result["statusCode"] == 202
    assert json.loads(result["body"])["status"]["state"] == "online"


def test_post_invalid_state_is_rejected():
    status, error = index.parse_status(json.dumps({"state": "exploded"}))
    assert status is None and "state must be one of" in error


def test_missing_device_id():
    assert index.lambda_handler({"httpMethod": "GET"}, None)["statusCode"] == 400
