"""telemetry_consumer: aggregates telemetry records from an SQS batch."""
import json


def aggregate(records):
    """Returns {device_id: {"count": n, "max_temperature": t}} for parsed records."""
    out = {}
    for record in records:
        body = json.loads(record["body"])
        entry = out.setdefault(body["deviceId"], {"count": 0, "max_temperature": None})
        entry["count"] += 1
        t = body.get("temperature")
        if t is not None and (entry["max_temperature"] is None or t > entry["max_temperature"]):
            entry["max_temperature"] = t
    return out


def lambda_handler(event, context):
    return {"devices": aggregate(event.get("Records", []))}
