"""device_status: read or record a device's status (GET / POST /devices/{deviceId}/status)."""
import json
import os

VALID_STATES = {"online", "offline", "maintenance"}


def parse_status(body):
    """Returns (status, error) from a POST body."""
    try:
        data = json.loads(body or "{}")
    except json.JSONDecodeError:
        return None, "body is not JSON"
    state = data.get("state")
    if state not in VALID_STATES:
        return None, f"state must be one of {sorted(VALID_STATES)}"
    return {"state": state, "battery": data.get("battery")}, None


def response(code, payload):
    return {"statusCode": code, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


def lambda_handler(event, context):
    device_id = (event.get("pathParameters") or {}).get("deviceId")
    if not device_id:
        return response(400, {"error": "deviceId is required"})
    if event.get("httpMethod") == "POST":
        status, error = parse_status(event.get("body"))
        if error:
            return response(400, {"error": error})
        return response(202, {"deviceId": device_id, "status": status, "table": os.environ.get("DEVICES_TABLE", "Devices")})
    return response(200, {"deviceId": device_id, "status": "unknown"})
