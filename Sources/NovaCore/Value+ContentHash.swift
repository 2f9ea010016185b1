extension Value {
    /// A 64-bit hash of the value's content, the same in every process: equal values (as `==`
    /// sees them) hash alike, whatever their objects' field order.
    ///
    /// For keying caches by a whole document: about five times cheaper than writing its
    /// canonical JSON, because objects are combined without sorting their fields. Not a
    /// fingerprint: different values can collide, so a cache must still compare the values.
    public var contentHash: UInt64 {
        switch self {
        case .null: return ContentHash.mix(0x6e75_6c6c)
        case .bool(let b): return ContentHash.mix(b ? 0x7472_7565 : 0x6661_6c73)
        case .number(let n):
            switch n.storage {
            case .int(let i): return ContentHash.mix(UInt64(bitPattern: Int64(i)) ^ 0x6e75_6d62_6572)
            case .double(let d): return ContentHash.mix(d.bitPattern ^ 0x646f_7562_6c65)
            }
        case .string(let s): return ContentHash.string(s)
        case .array(let items):
            var hash: UInt64 = 0x6172_7261_7900 &+ UInt64(items.count)
            for item in items { hash = ContentHash.mix(hash ^ item.contentHash) }
            return hash
        case .object(let fields): return ContentHash.object(fields, excluding: nil)
        case .set(let members):
            var sum: UInt64 = 0
            for member in members { sum &+= member.contentHash }
            return ContentHash.mix(sum ^ 0x7365_7400 ^ UInt64(members.count))
        }
    }

    /// The content hash of this object without its field `name` (the same as removing the
    /// field and hashing, without copying the object); other values' own hash.
    public func contentHash(excludingField name: String) -> UInt64 {
        guard case .object(let fields) = self else { return contentHash }
        return ContentHash.object(fields, excluding: .string(name))
    }

    /// Whether two objects are equal but for their field `name`; other values compare whole.
    public func isEqual(to other: Value, excludingField name: String) -> Bool {
        guard case .object(let a) = self, case .object(let b) = other else { return self == other }
        let excluded = Value.string(name)
        guard a.count - (a[excluded] == nil ? 0 : 1) == b.count - (b[excluded] == nil ? 0 : 1) else { return false }
        for (key, value) in a where key != excluded {
            guard b[key] == value else { return false }
        }
        return true
    }
}

enum ContentHash {
    /// A sum of per-field hashes: the order of iteration does not matter.
    static func object(_ fields: [Value: Value], excluding excluded: Value?) -> UInt64 {
        var sum: UInt64 = 0
        var count = 0
        for (key, value) in fields where excluded == nil || key != excluded! {
            sum &+= mix(key.contentHash &+ mix(value.contentHash ^ 0x7661_6c75_65))
            count += 1
        }
        return mix(sum ^ 0x6f62_6a65_6374 ^ UInt64(count))
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 { splitMix64(value) }

    /// A string's UTF-8 bytes, eight at a time.
    static func string(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { bytes in
            var hash: UInt64 = 0x7374_7269_6e67 ^ UInt64(bytes.count)
            var index = 0
            while index + 8 <= bytes.count {
                let word = UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: index, as: UInt64.self)
                hash = mix(hash ^ word)
                index += 8
            }
            if index < bytes.count {
                var tail: UInt64 = 0
                for (shift, byte) in bytes[index...].enumerated() { tail |= UInt64(byte) << (8 * UInt64(shift)) }
                hash = mix(hash ^ tail)
            }
            return mix(hash)
        }
    }
}
