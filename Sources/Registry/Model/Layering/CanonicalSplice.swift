/// Builds an effective configuration's canonical JSON from its base's canonical text without parsing
/// it whole: RFC 7396 merges objects key by key, so only the top-level members a patch touches are
/// parsed, merged and written again; every other member is copied as bytes. Exactly equal to
/// `JSONWriter.canonical(LayerStack(...).effective())` plus `code_hash` (a property test checks it).
enum CanonicalSplice {
    /// Top-level members of a canonical JSON object: key and the byte range of its value.
    /// Nil when the text is not an object or a key has escapes (the caller then takes the slow path).
    static func members(_ bytes: [UInt8]) -> [(key: String, value: Range<Int>)]? {
        members(bytes, in: 0..<bytes.count)
    }

    /// The members of the canonical object occupying `range` of `bytes` (value ranges index `bytes`).
    static func members(_ bytes: [UInt8], in range: Range<Int>) -> [(key: String, value: Range<Int>)]? {
        bytes.withUnsafeBufferPointer { b in
            memberRanges(b, range)?.map { (String(decoding: UnsafeBufferPointer(rebasing: b[$0.key]), as: UTF8.self), $0.value) }
        }
    }

    /// The canonical effective configuration of one function, with `code_hash` when given.
    static func effective(base: [UInt8], environmentPatch: JSONObject?, override: JSONObject?, codeHash: String?) throws -> [UInt8] {
        try effective(base: base, members: memberRanges(base), environmentPatch: environmentPatch.map(PreparedPatch.init),
                      override: override.map(PreparedPatch.init), codeHash: codeHash)
    }

    /// The top-level members of a canonical object as byte ranges (see `memberRanges`).
    static func memberRanges(_ bytes: [UInt8]) -> [(key: Range<Int>, value: Range<Int>)]? {
        bytes.withUnsafeBufferPointer { memberRanges($0, 0..<$0.count) }
    }

    /// One member of the configuration being built: key and value each either a range of the base
    /// text or bytes of their own (from a patch, a default or the code hash).
    private struct Entry {
        enum Bytes {
            case base(Range<Int>)
            case owned([UInt8])
        }
        var key: Bytes       // the key's UTF-8 (no quotes, no escapes)
        var quoted: [UInt8]? // the key as a JSON string when it is not in the base
        var value: Bytes
    }

    private static let schemaKeyBytes = Array(FunctionSchema.schemaKey.utf8)
    private static let optionalKeys = FunctionSchema.optional.map { Array($0.utf8) }
    private static let codeHashKey = Array("code_hash".utf8)
    /// `fill_defaults` as a patch that only adds what is absent.
    private static let defaultMembers: [(key: [UInt8], quoted: [UInt8], value: [UInt8])] = FunctionSchema.defaults.map { name, value in
        var w = JSONWriter(capacity: name.utf8.count + 2)
        w.writeString(name)
        return (Array(name.utf8), w.bytes, JSONWriter.canonicalBytes(value))
    }.sorted { a, b in a.key.withUnsafeBufferPointer { x in b.key.withUnsafeBufferPointer { canonicalKeyOrder(x, $0) < 0 } } }

    /// As above, with the base's members already scanned (shared by several environments) and the
    /// patches prepared (an environment's patch is prepared once for all its functions). Works on byte
    /// ranges throughout: members are merge-joined by key in UTF-8 order, which is canonical order.
    static func effective(base: [UInt8], members: [(key: Range<Int>, value: Range<Int>)]?, environmentPatch: PreparedPatch?,
                          override: PreparedPatch?, codeHash: String?) throws -> [UInt8] {
        guard let members else { return try slowEffective(base: base, environmentPatch: environmentPatch, override: override, codeHash: codeHash) }
        let result: [UInt8]? = base.withUnsafeBufferPointer { b -> [UInt8]? in
            func bytes(_ x: Entry.Bytes, _ body: (UnsafeBufferPointer<UInt8>) -> Int) -> Int {
                switch x {
                case .base(let r): return body(UnsafeBufferPointer(rebasing: b[r]))
                case .owned(let a): return a.withUnsafeBufferPointer(body)
                }
            }
            func compare(_ key: Entry.Bytes, _ other: [UInt8]) -> Int {
                bytes(key) { PreparedPatch.compare($0, other) }
            }
            var entries: [Entry] = []
            entries.reserveCapacity(members.count + 4)
            for m in members {
                let key = UnsafeBufferPointer(rebasing: b[m.key])
                if PreparedPatch.compare(key, schemaKeyBytes) == 0 { continue }
                // normalizedBase: an optional field holding null is absent.
                if m.value.count == 4 && b[m.value.lowerBound] == UInt8(ascii: "n")
                    && optionalKeys.contains(where: { PreparedPatch.compare(key, $0) == 0 }) { continue }
                entries.append(Entry(key: .base(m.key), quoted: nil, value: .base(m.value)))
            }
            // RFC 7396 at the top level, one patch after the other.
            for patch in [environmentPatch, override] {
                guard let patch else { continue }
                var next: [Entry] = []
                next.reserveCapacity(entries.count + patch.members.count)
                var i = 0, j = 0
                while i < entries.count || j < patch.members.count {
                    if j < patch.members.count && patch.members[j].key == schemaKeyBytes { j += 1; continue }
                    let order = i == entries.count ? 1 : j == patch.members.count ? -1 : compare(entries[i].key, patch.members[j].key)
                    if order < 0 { next.append(entries[i]); i += 1; continue }
                    let m = patch.members[j]
                    let target: Entry? = order == 0 ? entries[i] : nil
                    if order == 0 { i += 1 }
                    j += 1
                    let key: Entry.Bytes = target?.key ?? .owned(m.key)
                    let quoted = target?.quoted ?? (target == nil ? m.quoted : nil)
                    switch m.action {
                    case .remove: continue
                    case .replace(let value): next.append(Entry(key: key, quoted: quoted, value: .owned(value)))
                    case .merge(let nested):
                        var w = JSONWriter(capacity: 256)
                        let merged: Bool
                        switch target?.value {
                        case .base(let r)?: merged = nested.write(target: b, r, into: &w)
                        case .owned(let a)?: merged = a.withUnsafeBufferPointer { nested.write(target: $0, 0..<$0.count, into: &w) }
                        case nil: merged = nested.write(target: nil, 0..<0, into: &w)
                        }
                        guard merged else { return nil }
                        next.append(Entry(key: key, quoted: quoted, value: .owned(w.bytes)))
                    }
                }
                entries = next
            }
            // fill_defaults and code_hash: add what is absent (code_hash replaces), in key order.
            var additions = Self.defaultMembers.map { (key: $0.key, quoted: $0.quoted, value: $0.value, replace: false) }
            if let codeHash {
                var w = JSONWriter(capacity: 80)
                w.writeString(codeHash)
                let at = additions.firstIndex { !$0.key.lexicographicallyPrecedes(codeHashKey) } ?? additions.count
                additions.insert((codeHashKey, Array("\"code_hash\"".utf8), w.bytes, true), at: at)
            }
            var w = JSONWriter(capacity: base.count + 512)
            w.append(UInt8(ascii: "{"))
            var first = true
            func emit(_ e: Entry) {
                if !first { w.append(UInt8(ascii: ",")) }
                first = false
                if let q = e.quoted { w.append(contentsOf: q) } else if case .base(let r) = e.key {
                    w.append(contentsOf: UnsafeBufferPointer(rebasing: b[(r.lowerBound - 1)..<(r.upperBound + 1)]))
                }
                w.append(UInt8(ascii: ":"))
                switch e.value {
                case .base(let r): w.append(contentsOf: UnsafeBufferPointer(rebasing: b[r]))
                case .owned(let a): w.append(contentsOf: a)
                }
            }
            var i = 0, j = 0
            while i < entries.count || j < additions.count {
                let order = i == entries.count ? 1 : j == additions.count ? -1 : compare(entries[i].key, additions[j].key)
                if order < 0 { emit(entries[i]); i += 1; continue }
                let a = additions[j]
                j += 1
                if order == 0 {
                    emit(a.replace ? Entry(key: entries[i].key, quoted: entries[i].quoted, value: .owned(a.value)) : entries[i])
                    i += 1
                } else {
                    emit(Entry(key: .owned(a.key), quoted: a.quoted, value: .owned(a.value)))
                }
            }
            w.append(UInt8(ascii: "}"))
            return w.bytes
        }
        if let result { return result }
        return try slowEffective(base: base, environmentPatch: environmentPatch, override: override, codeHash: codeHash)
    }

    /// Parse, layer, write: for texts the splice cannot read (a key with escapes).
    private static func slowEffective(base: [UInt8], environmentPatch: PreparedPatch?, override: PreparedPatch?, codeHash: String?) throws -> [UInt8] {
        var value = LayerStack(base: try JSONParser.parse(base), environmentPatch: environmentPatch.map { JSONValue.object($0.object) },
                               override: override.map { JSONValue.object($0.object) }).effective()
        if let codeHash, case .object(var o) = value { o["code_hash"] = .string(codeHash); value = .object(o) }
        return JSONWriter.canonicalBytes(value)
    }

    /// Members of the canonical object `b[range]` as byte ranges of key (without quotes) and value;
    /// nil when a key has escapes.
    static func memberRanges(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [(key: Range<Int>, value: Range<Int>)]? {
        guard range.count >= 2, b[range.lowerBound] == UInt8(ascii: "{"), b[range.upperBound - 1] == UInt8(ascii: "}") else { return nil }
        var out: [(key: Range<Int>, value: Range<Int>)] = []
        out.reserveCapacity(16)
        var i = range.lowerBound + 1
        let end = range.upperBound - 1
        while i < end {
            guard b[i] == UInt8(ascii: "\"") else { return nil }
            var j = i + 1
            while j < end && b[j] != UInt8(ascii: "\"") {
                if b[j] == UInt8(ascii: "\\") { return nil }
                j += 1
            }
            let key = (i + 1)..<j
            guard j + 1 < end, b[j + 1] == UInt8(ascii: ":") else { return nil }
            var k = j + 2
            let valueStart = k
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

/// An RFC 7396 merge patch (an object) prepared once and applied to canonical JSON text without
/// parsing it: members are merge-joined by key (canonical keys are sorted by code point, which is
/// UTF-8 byte order), target members the patch does not name are copied as bytes.
final class PreparedPatch {
    enum Action {
        case remove
        case replace([UInt8])
        case merge(PreparedPatch)
    }
    struct Member {
        let name: String
        let key: [UInt8]       // UTF-8 of the name, for byte comparison with canonical keys
        let quoted: [UInt8]    // the name as a canonical JSON string
        let action: Action
    }
    let members: [Member]
    let object: JSONObject

    init(_ object: JSONObject) {
        self.object = object
        members = object.map { m in
            let action: Action
            switch m.value {
            case .null: action = .remove
            case .object(let o): action = .merge(PreparedPatch(o))
            default: action = .replace(JSONWriter.canonicalBytes(m.value))
            }
            var w = JSONWriter(capacity: m.key.utf8.count + 2)
            w.writeString(m.key)
            return Member(name: m.key, key: Array(m.key.utf8), quoted: w.bytes, action: action)
        }.sorted { a, b in a.key.withUnsafeBufferPointer { x in b.key.withUnsafeBufferPointer { canonicalKeyOrder(x, $0) < 0 } } }
    }

    /// Writes RFC 7396 `apply(self, target)` as canonical JSON, where `target` is the canonical text
    /// `b[range]` (nil or not an object: the empty object). False when a target key has escapes.
    func write(target b: UnsafeBufferPointer<UInt8>?, _ range: Range<Int>, into w: inout JSONWriter) -> Bool {
        var targetMembers: [(key: Range<Int>, value: Range<Int>)] = []
        if let b, !range.isEmpty, b[range.lowerBound] == UInt8(ascii: "{") {
            guard let found = CanonicalSplice.memberRanges(b, range) else { return false }
            targetMembers = found
        }
        w.append(UInt8(ascii: "{"))
        var first = true
        var i = 0, j = 0
        while i < targetMembers.count || j < members.count {
            let order: Int
            if i == targetMembers.count { order = 1 }
            else if j == members.count { order = -1 }
            else { order = Self.compare(UnsafeBufferPointer(rebasing: b![targetMembers[i].key]), members[j].key) }
            if order < 0 {
                let t = targetMembers[i]
                if !first { w.append(UInt8(ascii: ",")) }
                first = false
                // The key with its quotes, the colon and the value: one contiguous run of the target.
                w.append(contentsOf: UnsafeBufferPointer(rebasing: b![(t.key.lowerBound - 1)..<t.value.upperBound]))
                i += 1
                continue
            }
            let m = members[j]
            let targetValue = order == 0 ? targetMembers[i].value : nil
            if order == 0 { i += 1 }
            j += 1
            switch m.action {
            case .remove: continue
            case .replace(let bytes):
                if !first { w.append(UInt8(ascii: ",")) }
                first = false
                w.append(contentsOf: m.quoted)
                w.append(UInt8(ascii: ":"))
                w.append(contentsOf: bytes)
            case .merge(let nested):
                if !first { w.append(UInt8(ascii: ",")) }
                first = false
                w.append(contentsOf: m.quoted)
                w.append(UInt8(ascii: ":"))
                guard nested.write(target: targetValue == nil ? nil : b, targetValue ?? 0..<0, into: &w) else { return false }
            }
        }
        w.append(UInt8(ascii: "}"))
        return true
    }

    /// RFC 8785 key order of a canonical key's bytes and a patch member's.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Int {
        b.withUnsafeBufferPointer { canonicalKeyOrder(a, $0) }
    }
}
