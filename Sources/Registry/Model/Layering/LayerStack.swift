/// The layers of one function's effective configuration in one environment, and the only place
/// they are combined: effective(f, e) = fill_defaults(merge_patch(merge_patch(base(f),
/// environment_patch(e)), override(e, f))), RFC 7396 throughout; a top-level `"$schema"` is an
/// editor's hint and never part of the result. `CanonicalSplice` is this formula's fast path over
/// canonical bytes (a property test holds the two equal).
public struct LayerStack {
    /// Where a value of the effective configuration comes from.
    public enum Layer: String, Sendable {
        case base, environment, override
        /// Filled in by `fill_defaults` (nothing sets it, or a patch deleted it).
        case `default`
    }

    /// The base configuration (`function.json`), normalised: `$schema` and `null` optional fields
    /// removed.
    public let base: JSONValue
    /// The environment's `environment.json`, the function's override (merge patches), as stored.
    public let environmentPatch: JSONValue?
    /// The function's override in this environment (a merge patch), as stored.
    public let override: JSONValue?

    /// The layers of one function in one environment (the base is normalised here).
    public init(base: JSONValue, environmentPatch: JSONValue?, override: JSONValue?) {
        self.init(normalizedBase: FunctionSchema.normalizedBase(base), environmentPatch: environmentPatch, override: override)
    }

    /// With a base that is normalised already (`FunctionSchema.normalizedBase`): no copy of it is made.
    init(normalizedBase: JSONValue, environmentPatch: JSONValue?, override: JSONValue?) {
        self.base = normalizedBase
        self.environmentPatch = environmentPatch
        self.override = override
    }

    /// The layers in order, patches first to last.
    private var patches: [(Layer, JSONValue?)] { [(.environment, environmentPatch), (.override, override)] }

    /// The effective configuration, defaults filled.
    public func effective() -> JSONValue {
        var value = base
        for (_, patch) in patches { if let patch { value = MergePatch.apply(Self.withoutSchemaKey(patch), to: value) } }
        return FunctionSchema.fillDefaults(Self.withoutSchemaKey(value))
    }

    /// The effective value of one top-level field before defaults (nil: absent): RFC 7396 on that
    /// member alone, the last layer that sets or deletes it winning. Reads no other field.
    public func field(_ key: String) -> JSONValue? {
        guard key != FunctionSchema.schemaKey else { return nil }
        var value = base[key]
        for (_, patch) in patches {
            guard let p = patch?[key] else { continue }
            value = p.isNull ? nil : MergePatch.apply(p, to: value ?? .null)
        }
        return value
    }

    /// The effective value of one top-level field, its default when absent.
    public func fieldWithDefault(_ key: String) -> JSONValue? { field(key) ?? FunctionSchema.defaultValue(key) }

    /// The layer the value at `pointer` comes from, and the pointer at which that layer set it (an
    /// ancestor when a patch replaced an enclosing value with a non-object). A member an object patch
    /// did not name comes from the layer below; a deletion (null at the pointer or an ancestor) leaves
    /// the default.
    public func origin(of pointer: JSONPointer) -> (layer: Layer, at: JSONPointer) {
        var origin: (Layer, JSONPointer)? = base.value(at: pointer) != nil ? (.base, pointer) : nil
        for (layer, patch) in patches {
            switch Self.effect(of: patch, on: pointer) {
            case .sets(let p): origin = (layer, p)
            case .deletes: origin = nil
            case .untouched: break
            }
        }
        return origin ?? (.default, pointer)
    }

    private enum Effect { case sets(JSONPointer), deletes, untouched }

    /// What a merge patch does to `pointer`: sets it (at the returned pointer), deletes it, or leaves it alone.
    private static func effect(of patch: JSONValue?, on pointer: JSONPointer) -> Effect {
        guard let patch, !pointer.tokens.isEmpty else { return .untouched }
        var p = pointer
        while !p.tokens.isEmpty {
            if let v = patch.value(at: p) {
                if v.isNull { return .deletes }
                // RFC 7396: a non-object value replaces everything below it.
                if v.objectValue == nil || p == pointer { return .sets(p) }
            }
            p = p.parent
        }
        return .untouched
    }

    /// The top-level fields two patches of one layer set differently: what a change of that patch can
    /// change in every effective configuration it applies to, with the fields whose rules read them
    /// (`FunctionSchema.related`).
    public static func changedFields(from old: JSONObject?, to new: JSONObject?) -> Set<String> {
        var out = Set<String>()
        for key in (old?.keys ?? []) where new?[key] != old?[key] { out.insert(key) }
        for key in (new?.keys ?? []) where new?[key] != old?[key] { out.insert(key) }
        out.remove(FunctionSchema.schemaKey)
        for field in out { out.formUnion(FunctionSchema.related(field)) }
        return out
    }

    /// `value` without its top-level `"$schema"` (the one place it is dropped).
    public static func withoutSchemaKey(_ value: JSONValue) -> JSONValue {
        guard case .object(var o) = value, o[FunctionSchema.schemaKey] != nil else { return value }
        o[FunctionSchema.schemaKey] = nil
        return .object(o)
    }

    /// A patch document as an object without `"$schema"`; nil when it is not an object.
    public static func patchObject(_ value: JSONValue?) -> JSONObject? {
        value.flatMap { withoutSchemaKey($0).objectValue }
    }
}
