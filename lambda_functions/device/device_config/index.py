"""device_config: GET / PUT /devices/{deviceId}/config."""
import json

ALLOWED_KEYS = {"reporting_interval", "firmware_channel"}


def merge_config(current, update):
    """Applies an update, rejecting unknown keys."""
    unknown = set(update) - ALLOWED_KEYS
    if unknown:
        raise ValueError(f"unknown keys: {sorted(unknown)}")
    merged = dict(current)
    merged.update(update)
    return merged


def lambda_handler(event, context):
    device_id = (event.get("pathParameters") or {}).get("deviceId")
    if event.get("httpMethod") == "PUT":
        try:
            merged = merge_config({}, json.loads(event.get("body") or "{}"))
        except ValueError as error:
            return {"statusCode": 400, "body": json.dumps({"error": str(error)})}
        return {"statusCode": 200, "body": json.dumps({"deviceId": device_id, "config": merged})}
    return {"statusCode": 200, "body": json.dumps({"deviceId": device_id, "config": {}})}
