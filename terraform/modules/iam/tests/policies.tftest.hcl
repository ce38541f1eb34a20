# terraform test (mocked provider, offline): IAM statements of every shape in one policy, normalised
# so that their order never shows in a plan; role names within IAM's 64 characters.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{}" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  name_prefix = "prod-"
  functions = {
    mixed = { name = "mixed", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
    none  = { name = "none", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
  }
  additional_policies = {
    mixed = jsonencode([
      { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::b/*" },
      { Sid = "Write", Effect = "Allow", Action = ["dynamodb:UpdateItem", "dynamodb:PutItem"], Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/t"],
      Condition = { Bool = { "aws:SecureTransport" = "true" } } },
      { Effect = "Deny", NotAction = "s3:*", NotResource = ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] },
    ])
  }
}

run "statements_of_every_shape" {
  command = apply

  assert {
    condition     = length(jsondecode(output.additional_policy_documents["mixed"]).Statement) == 3
    error_message = "all three statements are in the policy"
  }
  assert {
    condition     = contains([for s in jsondecode(output.additional_policy_documents["mixed"]).Statement : try(s.Action, null)], ["dynamodb:PutItem", "dynamodb:UpdateItem"])
    error_message = "Action lists are sorted"
  }
  assert {
    condition     = contains([for s in jsondecode(output.additional_policy_documents["mixed"]).Statement : try(s.Action, null)], ["s3:GetObject"])
    error_message = "a string Action becomes a list"
  }
  assert {
    condition     = !contains(keys(output.additional_policy_documents), "none")
    error_message = "no inline policy without statements"
  }
}

run "role_names_fit_iams_limit" {
  command = plan
  variables {
    functions = {
      (join("", ["a", join("", [for i in range(52) : "x"])])) = { name = "long", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
    }
  }
  expect_failures = [aws_iam_role.this]
}
