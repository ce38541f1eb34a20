import Foundation

extension Registry {
    /// Every difference between `environments` at `point`, function by function (in name order) and
    /// pair by pair (in the order the environments are given), each handed to `each` with the rule
    /// that allows it, if any. Environments whose configuration of a function is the same text are
    /// compared once as a group: the work follows the functions, the environments and the
    /// differences reported, never the number of environment pairs.
    public func parity(environments: [String], at point: String?, rules: ParityRules, _ each: (ParityReport.Difference) throws -> Void) throws -> ParityCounts {
        let revision: Revision
        switch try target(point) {
        case .revision(let r): revision = r
        case .worktree: revision = Revision.preview(at: Int64(Date().timeIntervalSince1970))
        }
        var counts = ParityCounts(revision: revision)
        try forEachFunction(environments: environments, revision: revision) { function, canonicals in
            // Group the environments by the bytes of their configuration (first appearance order).
            var groupOf: [[UInt8]: Int] = [:]
            var groups: [(canonical: [UInt8], members: [Int])] = []
            for (i, c) in canonicals.enumerated() {
                if let g = groupOf[c] { groups[g].members.append(i) } else { groupOf[c] = groups.count; groups.append((c, [i])) }
            }
            guard groups.count > 1 else { return }
            func operations(_ l: [UInt8], _ r: [UInt8]) throws -> [PatchOperation] {
                if let fast = SnapshotDiff.memberDiff(l, r) { return fast }
                return JSONPatch.diff(try JSONParser.parse(l), try JSONParser.parse(r))
            }
            var pairs: [(left: Int, right: Int, forward: Bool, g: Int, h: Int)] = []
            for g in groups.indices {
                for h in (g + 1)..<max(g + 1, groups.count) {
                    for a in groups[g].members { for b in groups[h].members { pairs.append((min(a, b), max(a, b), a < b, g, h)) } }
                }
            }
            var cache: [String: [PatchOperation]] = [:]
            for pair in pairs.sorted(by: { ($0.left, $0.right) < ($1.left, $1.right) }) {
                let key = "\(pair.g)>\(pair.h)>\(pair.forward)"
                if cache[key] == nil {
                    let (l, r) = pair.forward ? (groups[pair.g].canonical, groups[pair.h].canonical) : (groups[pair.h].canonical, groups[pair.g].canonical)
                    cache[key] = try operations(l, r)
                }
                let left = environments[pair.left], right = environments[pair.right]
                for op in cache[key]! {
                    let allowed = rules.allowing(op.path, function: function, between: left, and: right)
                    counts.differences += 1
                    if allowed == nil { counts.violations += 1 }
                    try each(ParityReport.Difference(left: left, right: right, function: function, operation: op, allowedBy: allowed))
                }
            }
        }
        return counts
    }
}
