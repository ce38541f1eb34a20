/// An ARN split into its six parts, `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` (the resource
/// keeps any further colons), when it has them and its partition is one of AWS's.
struct ARN {
    let partition: Substring
    let service: Substring
    let region: Substring
    let account: Substring
    let resource: Substring

    init?(_ s: String) {
        let parts = s.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", isPartition(parts[1]) else { return nil }
        (partition, service, region, account, resource) = (parts[1], parts[2], parts[3], parts[4], parts[5])
    }

    /// A region as AWS writes them: lower-case letters, digits and '-'.
    var hasRegionName: Bool {
        !region.isEmpty && region.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
    }

    /// A 12-digit account id.
    var hasAccountID: Bool { account.count == 12 && account.allSatisfy(\.isNumber) }

    /// An IAM name or path (`role/PATH/NAME`, `policy/PATH/NAME`) after `prefix`.
    func hasIAMName(after prefix: String) -> Bool {
        guard resource.hasPrefix(prefix) else { return false }
        let name = resource.dropFirst(prefix.count)
        return !name.isEmpty && name.utf8.allSatisfy { isAlnum($0) || "+=,.@_-/".utf8.contains($0) }
    }
}
