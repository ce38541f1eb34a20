/// The `function.json` format of the seed: fields, required-ness and defaults.
public enum FunctionSchema {
    /// Fields every function.json must have (from the field table, `schemas/lambda-limits.json`).
    public static let required: [String] = requiredFields

    /// Defaults of the optional fields (`fill_defaults`): the seed's fields only. A field added
    /// later has none, so it stays absent when absent and every snapshot recorded before it keeps
    /// its bytes and its hash.
    public static let defaults: [(String, JSONValue)] = defaultTexts.map { ($0.0, try! JSONParser.parse($0.1)) }

    /// Every optional field, with or without a default.
    public static let optional: [String] = fieldNames.filter { !requiredFields.contains($0) }

    /// The default of an optional field, nil for required or unknown fields and for fields without one.
    public static func defaultValue(_ field: String) -> JSONValue? { defaults.first { $0.0 == field }?.1 }
    /// Every top-level field of function.json, in the field table's order.
    public static let topLevelFields: [String] = fieldNames
    /// Ignored at the top level of `function.json` (editor schema hint).
    public static let schemaKey = "$schema"

    static let apiFields = memberNames["api"]!
    static let corsFields = memberNames["api/cors"]!
    static let vpcFields = memberNames["vpc_config"]!
    static let dlqFields = memberNames["dead_letter_config"]!
    static let tracingFields = memberNames["tracing_config"]!
    static let statementFields = memberNames["additional_policies"]!
    static let requestValidatorFields = memberNames["api/request_validator"]!
    /// The HTTP methods `api.methods` may name (and `ANY`).
    public static let httpMethods = LambdaLimits.httpMethods

    /// Fields whose rules read each other (the handler's form depends on the runtime, SnapStart on
    /// the runtime, an existing role forbids policies, managed policies count with the VPC and X-Ray
    /// attachments): a change of one re-checks them all.
    static let ruleGroups: [[String]] = [["runtime", "handler", "snap_start"],
                                         ["role_arn", "additional_policies", "managed_policies", "vpc_config", "tracing_config"]]

    /// `field` and the fields whose rules read it.
    static func related(_ field: String) -> [String] { ruleGroups.first { $0.contains(field) } ?? [field] }

    /// Whether the list at `pointer` means a set (array indexes aside: `/additional_policies/0/Action`).
    static func isSetLike(_ pointer: JSONPointer) -> Bool {
        let path = pointer.tokens.filter { Int($0) == nil }.joined(separator: "/")
        return setLikePaths.contains(path)
    }

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
