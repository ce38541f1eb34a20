def create(event, context):
    return {"statusCode": 201}

def get(event, context):
    return {"statusCode": 200}
