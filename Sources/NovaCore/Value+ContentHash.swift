import Foundation

extension Value {
    /// A 64-bit hash of the value's content: equal values (as `==` sees them) hash alike,
    /// whatever their objects' field order. The same throughout one process, different between
    /// processes (see `ContentHash.processSeed`), so it is never stored.
    ///
    /// For keying caches by a whole document: about five times cheaper than writing its
    /// canonical JSON, because objects are combined without sorting their fields. Not a
    /// fingerprint: different values can collide, so a cache must still compare the values.
    /// `Value`'s own `Hashable` conformance is built on it.
    public var contentHash: UInt64 { ContentHash.value(self, excluding: nil) }

    /// The content hash of this object without its field `name` (the same as removing the
    /// field and hashing, without copying the object); other values' own hash.
    public func contentHash(excludingField name: String) -> UInt64 {
        ContentHash.value(self, excluding: .string(name))
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

extension Value: Hashable {
    /// Dictionaries and sets of values hash through `contentHash` rather than SipHash: looking
    /// up a document's field was mostly hashing its name, and SipHash was about a tenth of a
    /// policy decision in profiles. The process seed is in every string's hash and the table's
    /// own seed is mixed in last, so colliding keys cannot be prepared in advance.
    /// (`_rawHashValue(seed:)` is the standard library's hook for a type's own hashing.)
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: ContentHash.mix(contentHash ^ UInt64(truncatingIfNeeded: seed)))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(contentHash)
    }
}

enum ContentHash {
    /// Chosen at random per process, like the standard library's own hashing seed; fixed when
    /// `SWIFT_DETERMINISTIC_HASHING` is set, as the standard library's is.
    static let processSeed: UInt64 = {
        if let flag = getenv("SWIFT_DETERMINISTIC_HASHING"), flag.pointee != 0 { return 0x6e6f_7661_6372_6f6e }
        return UInt64.random(in: .min ... .max)
    }()

    static func value(_ value: Value, excluding excluded: Value?) -> UInt64 {
        switch value {
        case .null: return mix(0x6e75_6c6c)
        case .bool(let b): return mix(b ? 0x7472_7565 : 0x6661_6c73)
        case .number(let n):
            switch n.storage {
            case .int(let i): return mix(UInt64(bitPattern: Int64(i)) ^ 0x6e75_6d62_6572)
            case .double(let d): return mix(d.bitPattern ^ 0x646f_7562_6c65)
            }
        case .string(let s): return string(s)
        case .array(let items):
            var hash: UInt64 = 0x6172_7261_7900 &+ UInt64(items.count)
            for item in items { hash = mix(hash ^ item.contentHash) }
            return hash
        case .object(let fields): return object(fields, excluding: excluded)
        case .set(let members):
            var sum: UInt64 = 0
            for member in members { sum &+= member.contentHash }
            return mix(sum ^ 0x7365_7400 ^ UInt64(members.count))
        }
    }

    /// A sum of per-field hashes: the order of iteration does not matter.
    static func object(_ fields: [Value: Value], excluding excluded: Value?) -> UInt64 {
        var sum: UInt64 = 0
        var count = 0
        for (key, value) in fields where excluded == nil || key != excluded! {
            // One full mix per field: the key and the value enter asymmetrically, so swapping
            // them changes the field's hash.
            sum &+= mix(key.contentHash ^ (value.contentHash &* 0xD6E8_FEB8_6659_FD93))
            count += 1
        }
        return mix(sum ^ 0x6f62_6a65_6374 ^ UInt64(count))
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 { splitMix64(value) }

    /// A string's UTF-8 bytes, starting from the process seed: eight bytes at a time through a
    /// multiply and a rotation (the rotation carries high bits into the next multiply's low
    /// ones), then one full mix at the end.
    static func string(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { bytes in
            var hash = processSeed ^ 0x7374_7269_6e67 ^ UInt64(bytes.count)
            let raw = UnsafeRawBufferPointer(bytes)
            var index = 0
            while index + 8 <= raw.count {
                hash = step(hash, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                index += 8
            }
            if index < raw.count { hash = step(hash, tail(raw, from: index)) }
            return mix(hash)
        }
    }

    /// The bytes from `index` to the end (fewer than eight) as one word, read in place: the
    /// last eight bytes shifted when the string has eight, otherwise overlapping narrower
    /// reads, which together with the length (already in the hash) determine the bytes.
    @inline(__always)
    static func tail(_ raw: UnsafeRawBufferPointer, from index: Int) -> UInt64 {
        let remaining = raw.count - index
        if raw.count >= 8 {
            return raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self) >> (8 * UInt64(8 - remaining))
        }
        if remaining >= 4 {
            let low = UInt64(raw.loadUnaligned(fromByteOffset: index, as: UInt32.self))
            let high = UInt64(raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self))
            return low | high << 32
        }
        return UInt64(raw[index]) | UInt64(raw[index + remaining / 2]) << 8 | UInt64(raw[raw.count - 1]) << 16
    }

    @inline(__always)
    static func step(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let product = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
        return (product << 29) | (product >> 35)
    }
}
