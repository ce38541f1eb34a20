/// RFC 7396 JSON Merge Patch.
public enum MergePatch {
    /// Applies `patch` to `target` exactly as RFC 7396 §2 describes.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        // RFC 7396 §2: a patch that is not an object replaces the target entirely.
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for member in patchObject {
            if case .null = member.value {
                // "If the value is null, remove the key from the target."
                result[member.key] = nil
            } else {
                result[member.key] = apply(member.value, to: result[member.key] ?? .null)
            }
        }
        return .object(result)
    }
}
