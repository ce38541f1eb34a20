# State in S3 with S3-native locking. Parameterised at init time:
#   terraform init -backend-config=backend.hcl
# with backend.hcl holding bucket, key, region (see backend.hcl.example).
terraform {
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
