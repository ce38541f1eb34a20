#!/usr/bin/env python3
"""Writes Tests/Corpus/secrets.json: a labelled set of realistic environment variables, half
credentials (of known formats, and literal passwords or tokens under credential names), half
look-alikes (names of secrets, references to secret stores, identifiers, hashes, settings). Every
credential here is random, generated from a fixed seed: none is real."""
import json, os, random, string

rng = random.Random(20261201)
def chars(alphabet, n): return "".join(rng.choice(alphabet) for _ in range(n))
AZ09 = string.ascii_uppercase + string.digits
alnum = string.ascii_letters + string.digits
b64 = alnum + "/+"
hexd = "0123456789abcdef"
urlsafe = alnum + "-_"

def aws_key(prefix="AKIA"): return prefix + chars(AZ09, 16)
def aws_secret():
    while True:
        s = chars(b64, 40)
        if any(c in "/+" for c in s) and any(c.isdigit() for c in s) and any(c.islower() for c in s) and any(c.isupper() for c in s): return s
def jwt(): return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJ" + chars(urlsafe, 40) + "." + chars(urlsafe, 43)
def password(n=14): return chars(alnum + "!@#%^&*-_=+", n)
def pem(kind="RSA PRIVATE KEY"): return f"-----BEGIN {kind}-----\n" + chars(b64, 64) + "\n" + chars(b64, 64) + f"\n-----END {kind}-----"

known_formats = [
    # Known formats, under any name: each must be found from the value alone.
    *[(n, aws_key()) for n in ["AWS_ACCESS_KEY_ID", "ACCESS_KEY", "S3_KEY", "LEGACY_UPLOADER", "AKID"]],
    *[(n, aws_key("ASIA")) for n in ["AWS_SESSION_KEY_ID", "TEMP_KEY_ID"]],
    *[(n, aws_secret()) for n in ["AWS_SECRET_ACCESS_KEY", "SECRET_KEY", "S3_SECRET", "UPLOAD_SIGNING_KEY", "AWS_SECRET"]],
    *[(n, jwt()) for n in ["SERVICE_JWT", "AUTH_HEADER_VALUE", "BOOTSTRAP", "ID_TOKEN", "internalAuth"]],
    *[(n, pem()) for n in ["PRIVATE_KEY", "SIGNING_KEY_PEM", "TLS_KEY", "GITHUB_APP_KEY"]],
    (f"EC_PRIVATE_KEY", pem("EC PRIVATE KEY")), ("SSH_KEY", pem("OPENSSH PRIVATE KEY")), ("PKCS8", pem("PRIVATE KEY")),
    *[(n, f"postgres://app:{password(16)}@db.internal:5432/app") for n in ["DATABASE_URL", "DB_URL", "PG_CONNECTION", "READER_URL"]],
    *[(n, f"mysql://admin:{password(12)}@mysql.prod.example.com/orders") for n in ["MYSQL_URL", "ORDERS_DB"]],
    *[(n, f"mongodb+srv://svc:{password(18)}@cluster0.abcde.mongodb.net/app?retryWrites=true") for n in ["MONGO_URI", "MONGODB_CONNECTION"]],
    *[(n, f"redis://default:{password(20)}@redis.example.com:6379") for n in ["REDIS_URL", "CACHE_URL"]],
    ("AMQP_URL", f"amqps://user:{password(14)}@mq.example.com/vhost"),
    ("AZURE_STORAGE", f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={chars(b64, 86)}==;EndpointSuffix=core.windows.net"),
    *[(n, "ghp_" + chars(alnum, 36)) for n in ["GITHUB_TOKEN", "GH_PAT", "CI_BOT", "gitToken"]],
    ("GITHUB_FINE_GRAINED", "github_pat_" + chars(alnum, 22) + "_" + chars(alnum, 59)),
    ("GITLAB_TOKEN", "glpat-" + chars(urlsafe, 20)),
    *[(n, "xoxb-" + "".join(rng.choice(string.digits) for _ in range(11)) + "-" + "".join(rng.choice(string.digits) for _ in range(12)) + "-" + chars(alnum, 24))
      for n in ["SLACK_BOT_TOKEN", "SLACK_TOKEN", "NOTIFIER"]],
    ("SLACK_WEBHOOK", "https://hooks.slack.com/services/T" + chars(AZ09, 8) + "/B" + chars(AZ09, 8) + "/" + chars(alnum, 24)),
    *[(n, "sk_live_" + chars(alnum, 24)) for n in ["STRIPE_SECRET_KEY", "STRIPE_KEY", "PAYMENTS"]],
    ("STRIPE_RESTRICTED", "rk_live_" + chars(alnum, 24)), ("STRIPE_WEBHOOK_SECRET", "whsec_" + chars(alnum, 32)),
    *[(n, "AIza" + chars(urlsafe, 35)) for n in ["GOOGLE_API_KEY", "MAPS_KEY", "FIREBASE_API_KEY"]],
    ("SENDGRID_API_KEY", "SG." + chars(urlsafe, 22) + "." + chars(urlsafe, 43)),
    ("NPM_TOKEN", "npm_" + chars(alnum, 36)), ("SHOPIFY_TOKEN", "shpat_" + chars(hexd, 32)),
    ("OPENAI_API_KEY", "sk-proj-" + chars(urlsafe, 48)), ("ANTHROPIC_API_KEY", "sk-ant-api03-" + chars(urlsafe, 80)),
    ("PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmc" + chars(urlsafe, 60)), ("DOCKERHUB_TOKEN", "dckr_pat_" + chars(urlsafe, 27)),
    ("HF_TOKEN", "hf_" + chars(string.ascii_letters, 34)), ("MAILGUN_API_KEY", "key-" + chars(hexd, 32)),
    ("UPSTREAM_AUTH", "Bearer " + chars(alnum, 40)), ("PROXY_AUTHORIZATION", "Basic " + chars(b64, 28) + "=="),
]

literals = [
    # Literal credentials under credential names (the value has no known format).
    *[(n, password(rng.randint(10, 24))) for n in ["DB_PASSWORD", "PASSWORD", "MONGO_DB_PASS", "dbPassword", "CLIENTSECRET", "ADMIN_PWD",
      "SMTP_PASS", "REDIS_PASSWORD", "LDAP_BIND_PASSWORD", "KEYSTORE_PASSPHRASE", "ClientSecret", "oauthClientSecret", "APP_SECRET",
      "SESSION_SECRET", "COOKIE_SECRET", "JWT_SECRET", "WEBHOOK_SECRET", "SIGNING_SECRET", "API_SECRET", "AUTH_TOKEN", "ACCESS_TOKEN",
      "REFRESH_TOKEN", "apiToken", "serviceToken", "BOT_TOKEN", "TELEGRAM_TOKEN", "DATADOG_API_KEY", "NEW_RELIC_LICENSE_KEY",
      "SENTRY_AUTH_TOKEN", "ALGOLIA_API_KEY", "API_KEY", "apiKey", "APIKEY", "X_API_KEY", "ENCRYPTION_KEY", "MASTER_KEY", "HMAC_KEY",
      "PASSWORD_SALT", "DB_PASS", "RABBITMQ_PASS", "ELASTIC_PASSWORD", "MYSQL_ROOT_PASSWORD", "SFTP_PWD", "VPN_PSK_SECRET",
      "TWILIO_AUTH_TOKEN", "PUSHER_APP_SECRET", "FACEBOOK_APP_SECRET", "OKTA_CLIENT_SECRET", "AUTH0_CLIENT_SECRET", "KEY"]],
    *[(n, chars(hexd, 32)) for n in ["DATADOG_APP_KEY", "SEGMENT_WRITE_KEY_SECRET", "license_key_secret"]],
    *[(n, "hunter" + str(rng.randint(10, 99))) for n in ["ROOT_PASSWORD", "FTP_PASSWORD"]],
    ("DB_CREDENTIALS", '{"username":"app","password":"' + password(16) + '"}'),
]

look_alikes = [
    # The name of a secret, or its reference.
    ("SECRET_NAME", "MySecret"), ("TOKEN_TABLE", "Tokens"), ("DB_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"),
    ("API_KEY_SECRET_ID", "prod/api-key"), ("PASSWORD_PARAM", "/prod/db/password"), ("DB_PASSWORD_SSM", "/app/prod/db_password"),
    ("JWT_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwt-7Gh2kL"), ("SECRETS_PREFIX", "prod/"),
    ("API_KEY_HEADER", "x-api-key"), ("TOKEN_HEADER", "Authorization"), ("AUTH_HEADER_NAME", "X-Auth-Token"),
    ("SECRET_STORE", "secretsmanager"), ("SECRETS_PROVIDER", "aws-secrets-manager"), ("TOKEN_ISSUER", "https://auth.example.com/"),
    ("TOKEN_ENDPOINT", "https://auth.example.com/oauth2/token"), ("TOKEN_URL", "https://login.microsoftonline.com/tenant/oauth2/v2.0/token"),
    ("PASSWORD_RESET_URL", "https://app.example.com/reset"), ("SECRET_KMS_KEY_ID", "alias/app-secrets"),
    ("DB_PASSWORD", "{{resolve:secretsmanager:prod/db:SecretString:password}}"), ("API_TOKEN", "${API_TOKEN}"), ("DB_PASS", "$DB_PASS"),
    ("ACCESS_TOKEN", "ssm:/app/access-token"), ("ENCRYPTION_KEY", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ("SIGNING_KEY_ALIAS", "alias/jwt-signing"), ("API_KEY_NAME", "orders-service"), ("SECRET_VERSION", "AWSCURRENT"),
    ("TOKEN_TTL", "3600"), ("TOKEN_EXPIRY", "15m"), ("TOKEN_EXPIRATION_SECONDS", "900"), ("PASSWORD_MIN_LENGTH", "12"),
    ("SECRET_ROTATION_DAYS", "30"), ("PASSWORD_POLICY", "strict"), ("TOKEN_ALGORITHM", "RS256"), ("JWT_ALG", "HS256"),
    ("PASSWORD_HASHING", "argon2"), ("TOKEN_AUDIENCE", "api://orders"), ("TOKEN_SCOPE", "orders.read orders.write"),
    ("AUTH_MODE", "cognito"), ("AUTH_PROVIDER", "okta"), ("PASSWORD_COMPLEXITY", "high"), ("IS_TOKEN_REQUIRED", "true"),
    ("USE_SECRETS_CACHE", "false"), ("ENABLE_API_KEY_AUTH", "yes"), ("API_KEY_REQUIRED", "true"), ("SECRET_CACHE_TTL", "300"),
    ("TOKEN_CACHE_SIZE", "1000"), ("CREDENTIALS_PATH", "/var/task/credentials.json"), ("CREDENTIALS_FILE", "/opt/creds/service.json"),
    ("GOOGLE_APPLICATION_CREDENTIALS", "/var/task/gcp.json"), ("SECRETS_BUCKET", "acme-prod-secrets"), ("TOKEN_QUEUE", "token-refresh"),
    ("PASSWORD_RESET_TOPIC", "password-reset"), ("SESSION_TOKEN_COOKIE", "sid"), ("KEY_ID", "k1"), ("API_KEY_ID", "AKey-Orders"),
    ("PUBLIC_KEY_URL", "https://auth.example.com/.well-known/jwks.json"), ("STRIPE_PUBLISHABLE_KEY_NAME", "pk-live"),
    ("DB_USER", "app_user"), ("DB_USERNAME", "orders_rw"), ("DB_HOST", "db.internal"), ("DB_PORT", "5432"), ("DB_NAME", "orders"),
    ("DATABASE_URL", "postgres://db.internal:5432/orders"), ("REDIS_URL", "redis://cache.internal:6379/0"),
    ("MONGO_URI", "mongodb://mongo.internal:27017/app"), ("PASSWORD", "changeme"), ("SECRET", "<set in Secrets Manager>"),
    ("TOKEN", "REPLACE_ME"), ("API_KEY", "xxxxxxxx"),
    # Identifiers, hashes and settings that look random.
    ("TABLE_NAME", "Devices"), ("QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/orders"), ("BUCKET", "acme-uploads-prod"),
    ("LOG_LEVEL", "INFO"), ("STAGE", "prod"), ("REGION", "us-east-1"), ("COMMIT_SHA", "9f1c2e7b3a4d5e6f708192a3b4c5d6e7f8091a2b"),
    ("BUILD_ID", "b7c9e1f2-3a4b-4c5d-8e9f-0a1b2c3d4e5f"), ("REQUEST_ID_HEADER", "x-request-id"), ("CACHE_TTL", "60"),
    ("SENTRY_ENVIRONMENT", "production"), ("FEATURE_FLAGS", "new-checkout,fast-search"), ("MAX_RETRIES", "5"), ("TIMEOUT_MS", "2500"),
    ("ARTIFACT_SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), ("TRACE_SAMPLE_RATE", "0.1"),
    ("CORS_ORIGIN", "https://app.example.com"), ("ACCOUNT_ID", "123456789012"), ("USER_POOL_ID", "us-east-1_AbCdEfGhI"),
    ("APP_CLIENT_ID", "1h57kf5cpq17m0eml12EXAMPLE"), ("COGNITO_DOMAIN", "auth.example.com"), ("ROLE_ARN", "arn:aws:iam::123456789012:role/orders"),
    ("KMS_KEY_ARN", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"), ("SNS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:alerts"),
    ("POWERTOOLS_SERVICE_NAME", "orders"), ("DDB_ENDPOINT", "https://dynamodb.us-east-1.amazonaws.com"), ("TIMEZONE", "Europe/Berlin"),
    ("EMAIL_FROM", "noreply@example.com"), ("PAGE_SIZE", "50"), ("IMAGE_TAG", "v1.4.2"), ("GIT_BRANCH", "main"),
    ("SECRET_DESCRIPTION", "Database credentials for the reporting job"), ("TOKEN_TYPE", "Bearer"), ("PASSWORD_CHARS", "a-zA-Z0-9"),
    ("KEY_PREFIX", "orders/"), ("CACHE_KEY", "orders-v2"), ("PARTITION_KEY", "deviceId"), ("SORT_KEY", "timestamp"),
    ("PRIMARY_KEY", "id"), ("IDEMPOTENCY_KEY_HEADER", "Idempotency-Key"), ("S3_KEY_PREFIX", "uploads/"), ("OBJECT_KEY", "reports/latest.csv"),
    ("HASH_KEY", "pk"), ("SECRETS_MANAGER_ENDPOINT", "https://secretsmanager.us-east-1.amazonaws.com"), ("PASSWORD_FIELD", "password"),
]

credentials = known_formats + literals
entries = [{"name": n, "value": v, "secret": True, "known_format": True} for n, v in known_formats] \
    + [{"name": n, "value": v, "secret": True, "known_format": False} for n, v in literals] \
    + [{"name": n, "value": v, "secret": False, "known_format": False} for n, v in look_alikes]
path = os.path.join(os.path.dirname(__file__), "..", "Tests", "Corpus", "secrets.json")
with open(path, "w") as f:
    json.dump({"description": __doc__.strip(), "entries": entries}, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"{len(credentials)} credentials, {len(look_alikes)} look-alikes -> {os.path.relpath(path)}")
