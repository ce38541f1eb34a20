# terraform test (mocked provider, offline): the module's own checks of Lambda's limits.
mock_provider "aws" {}

variables {
  name_prefix     = "prod-"
  artifact_bucket = "artifacts"
  role_arns       = { f = "arn:aws:iam::123456789012:role/prod-f-lambda" }
  functions = {
    f = { name = "f", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
  }
}

run "a_valid_function_plans" {
  command = plan
  assert {
    condition     = aws_lambda_function.this["f"].function_name == "prod-f"
    error_message = "deployed as <env>-<name>"
  }
}

run "timeout_beyond_lambdas_limit" {
  command = plan
  variables {
    functions = {
      f = { name = "f", description = "d", runtime = "python3.13", handler = "a.b", timeout = 901, code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
    }
  }
  expect_failures = [var.functions]
}

run "name_beyond_lambdas_limit" {
  command = plan
  variables {
    role_arns = { (join("", [for i in range(60) : "n"])) = "arn:aws:iam::123456789012:role/x" }
    functions = {
      (join("", [for i in range(60) : "n"])) = { name = "n", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
    }
  }
  expect_failures = [aws_lambda_function.this]
}

run "log_retention_is_one_of_cloudwatchs" {
  command = plan
  variables {
    log_retention_days = 366
  }
  expect_failures = [var.log_retention_days]
}
