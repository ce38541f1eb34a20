/// Builds an effective configuration's canonical JSON from its base's canonical text without parsing
/// it whole: RFC 7396 merges objects key by key, so only the top-level members a patch touches are
/// parsed, merged and written again; every other member is copied as bytes. Exactly equal to
/// `JSONWriter.canonical(Layering.effective(...))` plus `code_hash` (a property test checks it).
enum CanonicalSplice {
    /// Top-level members of a canonical JSON object: key and the byte range of its value.
    /// Nil when the text is not an object or a key has escapes (the caller then takes the slow path).
    static func members(_ bytes: [UInt8]) -> [(key: String, value: Range<Int>)]? {
        members(bytes, in: 0..<bytes.count)
    }

    /// The members of the canonical object occupying `range` of `bytes` (value ranges index `bytes`).
    static func members(_ bytes: [UInt8], in range: Range<Int>) -> [(key: String, value: Range<Int>)]? {
        bytes.withUnsafeBufferPointer { b -> [(key: String, value: Range<Int>)]? in
            guard range.count >= 2, b[range.lowerBound] == UInt8(ascii: "{"), b[range.upperBound - 1] == UInt8(ascii: "}") else { return nil }
            var out: [(key: String, value: Range<Int>)] = []
            out.reserveCapacity(16)
            var i = range.lowerBound + 1
            let end = range.upperBound - 1
            while i < end {
                guard b[i] == UInt8(ascii: "\"") else { return nil }
                let keyStart = i + 1
                var j = keyStart
                while j < end && b[j] != UInt8(ascii: "\"") {
                    if b[j] == UInt8(ascii: "\\") { return nil }
                    j += 1
                }
                let key = String(decoding: UnsafeBufferPointer(rebasing: b[keyStart..<j]), as: UTF8.self)
                guard j + 1 < end, b[j + 1] == UInt8(ascii: ":") else { return nil }
                let valueStart = j + 2
                var k = valueStart
                var depth = 0
                var inString = false
                while k < end {
                    let c = b[k]
                    if inString {
                        if c == UInt8(ascii: "\\") { k += 2; continue }
                        if c == UInt8(ascii: "\"") { inString = false }
                    } else if c == UInt8(ascii: "\"") {
                        inString = true
                    } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                        depth += 1
                    } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        depth -= 1
                    } else if c == UInt8(ascii: ","), depth == 0 {
                        break
                    }
                    k += 1
                }
                out.append((key, valueStart..<k))
                i = k + 1
            }
            return out
        }
    }

    private static let nullBytes = Array("null".utf8)
    private static let defaults: [(String, [UInt8])] = FunctionSchema.defaults.map { ($0.0, JSONWriter.canonicalBytes($0.1)) }

    /// The canonical effective configuration of one function, with `code_hash` when given.
    static func effective(base: [UInt8], environmentPatch: JSONObject?, override: JSONObject?, codeHash: String?) throws -> [UInt8] {
        try effective(base: base, members: members(base), environmentPatch: environmentPatch, override: override, codeHash: codeHash)
    }

    /// As above, with the base's members already scanned (shared by several environments).
    static func effective(base: [UInt8], members: [(key: String, value: Range<Int>)]?, environmentPatch: JSONObject?,
                          override: JSONObject?, codeHash: String?) throws -> [UInt8] {
        guard let members else {
            var value = Layering.effective(base: try JSONParser.parse(base), environmentPatch: environmentPatch.map { .object($0) },
                                           override: override.map { .object($0) })
            if let codeHash, case .object(var o) = value { o["code_hash"] = .string(codeHash); value = .object(o) }
            return JSONWriter.canonicalBytes(value)
        }
        // Members in key order (canonical text is sorted already); replaced or added by key below.
        var entries: [(key: String, slice: Range<Int>?, bytes: [UInt8]?)] = []
        entries.reserveCapacity(members.count + 4)
        for m in members where m.key != FunctionSchema.schemaKey {
            // normalizedBase: an optional field holding null is absent.
            if m.value.count == 4 && base[m.value].elementsEqual(nullBytes) && FunctionSchema.optional.contains(m.key) { continue }
            entries.append((m.key, m.value, nil))
        }
        func position(_ key: String) -> (found: Bool, index: Int) {
            var low = 0, high = entries.count
            while low < high {
                let mid = (low + high) / 2
                if entries[mid].key == key { return (true, mid) }
                if codePointLess(entries[mid].key, key) { low = mid + 1 } else { high = mid }
            }
            return (false, low)
        }
        func set(_ key: String, _ bytes: [UInt8]?) {
            let (found, i) = position(key)
            switch (found, bytes) {
            case (true, .some(let b)): entries[i] = (key, nil, b)
            case (true, .none): entries.remove(at: i)
            case (false, .some(let b)): entries.insert((key, nil, b), at: i)
            case (false, .none): break
            }
        }
        for patch in [environmentPatch, override] {
            guard let patch else { continue }
            for m in patch where m.key != FunctionSchema.schemaKey {
                let (found, i) = position(m.key)
                if m.value.isNull { if found { entries.remove(at: i) }; continue }
                // RFC 7396: objects merge recursively, anything else replaces.
                guard case .object = m.value else { set(m.key, JSONWriter.canonicalBytes(m.value)); continue }
                var current: JSONValue = .null
                if found {
                    if let r = entries[i].slice { current = try JSONParser.parse(Array(base[r])) }
                    else if let b = entries[i].bytes { current = try JSONParser.parse(b) }
                }
                set(m.key, JSONWriter.canonicalBytes(MergePatch.apply(m.value, to: current)))
            }
        }
        for (key, bytes) in defaults where !position(key).found { set(key, bytes) }
        if let codeHash { set("code_hash", JSONWriter.canonicalBytes(.string(codeHash))) }
        var w = JSONWriter(capacity: base.count + 256)
        w.append(UInt8(ascii: "{"))
        var first = true
        for entry in entries {
            if !first { w.append(UInt8(ascii: ",")) }
            first = false
            w.writeString(entry.key)
            w.append(UInt8(ascii: ":"))
            if let r = entry.slice { w.append(contentsOf: base[r]) } else { w.append(contentsOf: entry.bytes!) }
        }
        w.append(UInt8(ascii: "}"))
        return w.bytes
    }
}
