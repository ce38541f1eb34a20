/// The `function.json` format of the seed: fields, required-ness and defaults.
public enum FunctionSchema {
    public static let required: [String] = ["name", "description", "runtime", "handler"]

    /// Defaults of the optional fields (SPEC §3 `fill_defaults`).
    public static let defaults: [(String, JSONValue)] = [
        ("timeout", 3),
        ("memory_size", 128),
        ("layers", []),
        ("api", .null),
        ("environment_variables", .object(JSONObject())),
        ("additional_policies", []),
        ("vpc_config", .null),
        ("dead_letter_config", .null),
        ("tracing_config", ["mode": "PassThrough"]),
        ("tags", .object(JSONObject())),
    ]

    public static let optional: [String] = defaults.map(\.0)

    /// The default of an optional field, nil for required or unknown fields.
    public static func defaultValue(_ field: String) -> JSONValue? { defaults.first { $0.0 == field }?.1 }
    public static let topLevelFields: [String] = required + optional
    /// Ignored at the top level of `function.json` (editor schema hint).
    public static let schemaKey = "$schema"

    static let apiFields = ["path", "methods", "authorizer", "authorizer_arn", "authorizer_function", "cors", "request_parameters", "request_validator"]
    static let corsFields = ["allowed_origins", "allowed_headers", "allowed_methods", "expose_headers", "max_age", "allow_credentials"]
    static let vpcFields = ["subnet_ids", "security_group_ids", "assign_public_ip"]
    static let dlqFields = ["target_arn", "max_receive_count"]
    static let tracingFields = ["mode"]
    static let statementFields = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"]
    static let requestValidatorFields = ["validate_body", "validate_parameters"]
    public static let httpMethods = LambdaLimits.httpMethods

    /// A base document with `$schema` removed and `null` optional fields treated as absent.
    public static func normalizedBase(_ value: JSONValue) -> JSONValue {
        guard var o = value.objectValue else { return value }
        o[schemaKey] = nil
        for key in optional where o[key]?.isNull == true { o[key] = nil }
        return .object(o)
    }

    /// Adds each missing optional field with its default (SPEC §3 `fill_defaults`).
    public static func fillDefaults(_ value: JSONValue) -> JSONValue {
        guard var o = value.objectValue else { return value }
        for (key, value) in defaults where o[key] == nil || o[key]?.isNull == true && !value.isNull {
            o[key] = value
        }
        return .object(o)
    }
}
