"""device_registry: register a device (POST /devices) or list devices (GET /devices)."""
import json
import re

SERIAL = re.compile(r"^[A-Z0-9]{8,16}$")


def validate_device(data):
    """Returns a list of problems with a device registration."""
    problems = []
    if not SERIAL.match(str(data.get("serial", ""))):
        problems.append("serial must be 8-16 upper-case letters or digits")
    if not data.get("model"):
        problems.append("model is required")
    return problems


def lambda_handler(event, context):
    if event.get("httpMethod") == "POST":
        data = json.loads(event.get("body") or "{}")
        problems = validate_device(data)
        if problems:
            return {"statusCode": 400, "body": json.dumps({"errors": problems})}
        return {"statusCode": 201, "body": json.dumps({"serial": data["serial"]})}
    return {"statusCode": 200, "body": json.dumps({"devices": []})}
