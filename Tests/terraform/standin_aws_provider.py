#!/usr/bin/env python3
"""A stand-in for the hashicorp/aws provider, for offline `terraform validate` and `plan` only.

It declares the schemas (attribute names and types as the AWS provider documents them) of exactly the
resources and data sources fnreg's modules use, plans creates with unknown computed values, and never
talks to AWS. Test tooling only (never in terraform/): see scripts/terraform-plan.py."""
import json
from typing import Optional, Type

from tf import schema, types
from tf.blocks import SetNestedBlock
from tf.iface import Config, CreateContext, DeleteContext, ReadContext, ReadDataContext, State, UpdateContext
from tf.provider import DataSource, Diagnostics, Provider, Resource
from tf.runner import run_provider

S, N, B = types.String(), types.Number(), types.Bool()
SL, SS, MS = types.List(types.String()), types.Set(types.String()), types.Map(types.String())


def attr(name, kind, required=False, computed=False):
    return schema.Attribute(name, kind, required=required, optional=not required and not computed, computed=computed)


class SetBlock(SetNestedBlock):
    """A set of nested blocks; an absent block is the empty set (Terraform's rule), never null."""

    def __init__(self, name, block, max_items=None):
        super().__init__(name, block)
        self.max_items = max_items

    def encode(self, value):
        return super().encode(value or [])

    def decode(self, value):
        return super().decode(value or [])


def block(name, attributes, blocks=(), max_items=None):
    # Single nested blocks make the framework's plans invalid; sets of at most one behave the same.
    return SetBlock(name, schema.Block(attributes=list(attributes), block_types=list(blocks)), max_items=max_items)


def computed(*names):
    return [attr(n, S, computed=True) for n in names]


def make_resource(type_name, attributes, blocks=()):
    class _Resource(Resource):
        @classmethod
        def get_name(cls):
            return type_name

        @classmethod
        def get_schema(cls):
            return schema.Schema(attributes=list(attributes), block_types=list(blocks))

        def __init__(self, provider):
            self.provider = provider

        def create(self, ctx: CreateContext, planned: State) -> Optional[State]:
            return planned

        def read(self, ctx: ReadContext, current: State) -> Optional[State]:
            return current

        def update(self, ctx: UpdateContext, current: State, planned: State) -> Optional[State]:
            return planned

        def delete(self, ctx: DeleteContext, current: State):
            return None

    _Resource.__name__ = type_name
    return _Resource


RESOURCES = [
    make_resource("cloudwatch_log_group", [attr("name", S), attr("retention_in_days", N), attr("kms_key_id", S), attr("tags", MS),
                                            *computed("arn", "id")]),
    make_resource("lambda_function", [
        attr("function_name", S, required=True), attr("description", S), attr("role", S, required=True), attr("runtime", S),
        attr("handler", S), attr("timeout", N), attr("memory_size", N), attr("layers", SL), attr("s3_bucket", S), attr("s3_key", S),
        attr("kms_key_arn", S), attr("tags", MS), attr("architectures", SL), attr("reserved_concurrent_executions", N), attr("publish", B),
        *computed("arn", "invoke_arn", "qualified_arn", "version", "id")],
        [block("environment", [attr("variables", MS)], max_items=1),
         block("ephemeral_storage", [attr("size", N)], max_items=1),
         block("snap_start", [attr("apply_on", S, required=True)], max_items=1),
         block("logging_config", [attr("log_format", S, required=True), attr("application_log_level", S), attr("system_log_level", S),
                                  attr("log_group", S)], max_items=1),
         block("vpc_config", [attr("subnet_ids", SS, required=True), attr("security_group_ids", SS, required=True),
                              attr("ipv6_allowed_for_dual_stack", B)], max_items=1),
         block("dead_letter_config", [attr("target_arn", S, required=True)], max_items=1),
         block("tracing_config", [attr("mode", S, required=True)], max_items=1)]),
    make_resource("iam_role", [attr("name", S), attr("assume_role_policy", S, required=True), attr("permissions_boundary", S),
                               attr("tags", MS), *computed("arn", "id", "unique_id")]),
    make_resource("iam_role_policy_attachment", [attr("role", S, required=True), attr("policy_arn", S, required=True), *computed("id")]),
    make_resource("iam_role_policy", [attr("name", S), attr("role", S, required=True), attr("policy", S, required=True), *computed("id")]),
    make_resource("api_gateway_rest_api", [attr("name", S, required=True), attr("body", S), attr("tags", MS),
                                           *computed("id", "arn", "execution_arn", "root_resource_id")],
                  [block("endpoint_configuration", [attr("types", SL, required=True)], max_items=1)]),
    make_resource("api_gateway_deployment", [attr("rest_api_id", S, required=True), attr("triggers", MS),
                                             *computed("id", "invoke_url", "execution_arn", "created_date")]),
    make_resource("api_gateway_stage", [attr("rest_api_id", S, required=True), attr("deployment_id", S, required=True),
                                        attr("stage_name", S, required=True), attr("xray_tracing_enabled", B), attr("tags", MS),
                                        *computed("id", "arn", "invoke_url", "execution_arn")],
                  [block("access_log_settings", [attr("destination_arn", S, required=True), attr("format", S, required=True)], max_items=1)]),
    make_resource("api_gateway_method_settings", [attr("rest_api_id", S, required=True), attr("stage_name", S, required=True),
                                                  attr("method_path", S, required=True), *computed("id")],
                  [block("settings", [attr("metrics_enabled", B), attr("logging_level", S)], max_items=1)]),
    make_resource("api_gateway_account", [attr("cloudwatch_role_arn", S), *computed("id")]),
    make_resource("lambda_function_url", [attr("function_name", S, required=True), attr("authorization_type", S, required=True),
                                          attr("invoke_mode", S), *computed("function_url", "url_id", "function_arn", "id")],
                  [block("cors", [attr("allow_origins", SS), attr("allow_methods", SS), attr("allow_headers", SS), attr("expose_headers", SS),
                                  attr("max_age", N), attr("allow_credentials", B)], max_items=1)]),
    make_resource("lambda_event_source_mapping", [attr("event_source_arn", S), attr("function_name", S, required=True), attr("batch_size", N),
                                                  attr("maximum_batching_window_in_seconds", N), attr("starting_position", S), attr("enabled", B),
                                                  attr("tags", MS), *computed("uuid", "id", "function_arn")]),
    make_resource("sns_topic_subscription", [attr("topic_arn", S, required=True), attr("protocol", S, required=True),
                                             attr("endpoint", S, required=True), *computed("arn", "id")]),
    make_resource("cloudwatch_event_rule", [attr("name", S), attr("description", S), attr("schedule_expression", S), attr("event_pattern", S),
                                            attr("event_bus_name", S), attr("state", S), attr("tags", MS), *computed("arn", "id")]),
    make_resource("cloudwatch_event_target", [attr("rule", S, required=True), attr("event_bus_name", S), attr("arn", S, required=True),
                                              *computed("id", "target_id")]),
    make_resource("s3_bucket_notification", [attr("bucket", S, required=True), *computed("id")],
                  [block("lambda_function", [attr("id", S), attr("lambda_function_arn", S), attr("events", SS, required=True),
                                             attr("filter_prefix", S), attr("filter_suffix", S)])]),
    make_resource("apigatewayv2_api", [attr("name", S, required=True), attr("protocol_type", S, required=True), attr("tags", MS),
                                       *computed("id", "arn", "api_endpoint", "execution_arn")],
                  [block("cors_configuration", [attr("allow_origins", SS), attr("allow_methods", SS), attr("allow_headers", SS),
                                                attr("expose_headers", SS), attr("max_age", N), attr("allow_credentials", B)], max_items=1)]),
    make_resource("apigatewayv2_integration", [attr("api_id", S, required=True), attr("integration_type", S, required=True),
                                               attr("integration_uri", S), attr("integration_method", S), attr("payload_format_version", S),
                                               *computed("id")]),
    make_resource("apigatewayv2_authorizer", [attr("api_id", S, required=True), attr("authorizer_type", S, required=True), attr("authorizer_uri", S),
                                              attr("name", S, required=True), attr("authorizer_payload_format_version", S),
                                              attr("enable_simple_responses", B), attr("identity_sources", SS), *computed("id")]),
    make_resource("apigatewayv2_route", [attr("api_id", S, required=True), attr("route_key", S, required=True), attr("target", S),
                                         attr("authorization_type", S), attr("authorizer_id", S), *computed("id")]),
    make_resource("apigatewayv2_stage", [attr("api_id", S, required=True), attr("name", S, required=True), attr("auto_deploy", B), attr("tags", MS),
                                         *computed("id", "arn", "invoke_url", "execution_arn")],
                  [block("access_log_settings", [attr("destination_arn", S, required=True), attr("format", S, required=True)], max_items=1)]),
    make_resource("lambda_permission", [attr("statement_id", S), attr("action", S, required=True), attr("function_name", S, required=True),
                                        attr("principal", S, required=True), attr("source_arn", S), *computed("id")]),
]


class PolicyDocument(DataSource):
    @classmethod
    def get_name(cls):
        return "iam_policy_document"

    @classmethod
    def get_schema(cls):
        return schema.Schema(attributes=[*computed("json", "id")], block_types=[
            block("statement", [attr("sid", S), attr("effect", S), attr("actions", SS), attr("resources", SS)],
                  [block("principals", [attr("type", S, required=True), attr("identifiers", SS, required=True)])])])

    def __init__(self, provider):
        self.provider = provider

    def read(self, ctx: ReadDataContext, config: Config) -> Optional[State]:
        statements = []
        for s in config.get("statement") or []:
            st = {"Effect": s.get("effect") or "Allow", "Action": sorted(s.get("actions") or [])}
            if s.get("resources"):
                st["Resource"] = sorted(s["resources"])
            for p in s.get("principals") or []:
                st["Principal"] = {p["type"]: sorted(p["identifiers"])}
            statements.append(st)
        document = json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)
        return dict(config, json=document, id=str(abs(hash(document))))


def make_data(type_name, values):
    """A data source with only computed attributes and fixed values (aws_region, aws_partition)."""
    class _Data(DataSource):
        @classmethod
        def get_name(cls):
            return type_name

        @classmethod
        def get_schema(cls):
            return schema.Schema(attributes=[*computed(*values, "id")])

        def __init__(self, provider):
            self.provider = provider

        def read(self, ctx: ReadDataContext, config: Config) -> Optional[State]:
            return dict(config, id=type_name, **values)

    _Data.__name__ = type_name
    return _Data


DATA_SOURCES = [make_data("region", {"name": "us-east-1", "description": "US East (N. Virginia)"}),
                make_data("partition", {"partition": "aws", "dns_suffix": "amazonaws.com", "reverse_dns_prefix": "com.amazonaws"})]


class StandInAWS(Provider):
    def full_name(self):
        return "registry.terraform.io/hashicorp/aws"

    def get_model_prefix(self):
        return "aws_"

    def get_provider_schema(self, diags: Diagnostics):
        return schema.Schema(attributes=[attr("region", S)])

    def validate_config(self, diags: Diagnostics, config: Config):
        pass

    def configure_provider(self, diags: Diagnostics, config: Config):
        pass

    def get_data_sources(self) -> list[Type[DataSource]]:
        return [PolicyDocument, *DATA_SOURCES]

    def get_resources(self) -> list[Type[Resource]]:
        return RESOURCES


if __name__ == "__main__":
    run_provider(StandInAWS())
