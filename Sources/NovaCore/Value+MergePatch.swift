extension Value {
    /// Applies a JSON merge patch (RFC 7386): objects merge key by key, `null` removes a key,
    /// anything else replaces the target.
    public func merging(patch: Value) -> Value {
        guard case .object(let patchFields) = patch else { return patch }
        var fields = objectValue ?? [:]
        for (key, change) in patchFields {
            if change.isNull {
                fields[key] = nil
            } else {
                fields[key] = (fields[key] ?? .null).merging(patch: change)
            }
        }
        return .object(fields)
    }
}
