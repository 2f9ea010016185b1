import Foundation
import NovaCore
import Testing

@Suite struct ContentHashTests {
    @Test func equalValuesHashAlikeWhateverTheirFieldOrder() throws {
        let a = try Value(json: #"{"kind":"VM","spec":{"vcpus":2,"memoryMiB":2048,"tags":["x","y"]},"n":1}"#)
        let b = try Value(json: #"{"n":1.0,"spec":{"tags":["x","y"],"memoryMiB":2048,"vcpus":2},"kind":"VM"}"#)
        #expect(a == b)
        #expect(a.contentHash == b.contentHash)
        #expect(Value.set([1, "a", [:]]).contentHash == Value.set([[:], "a", 1]).contentHash)
    }

    @Test func differentContentHashesDifferently() throws {
        let base = try Value(json: #"{"spec":{"vcpus":2,"image":"debian-12.qcow2"},"tags":["x","y"]}"#)
        let variants = [
            #"{"spec":{"vcpus":3,"image":"debian-12.qcow2"},"tags":["x","y"]}"#,
            #"{"spec":{"vcpus":2,"image":"debian-12.qcow3"},"tags":["x","y"]}"#,
            #"{"spec":{"vcpus":2,"image":"debian-12.qcow2"},"tags":["y","x"]}"#,
            #"{"spec":{"vcpus":2,"image":"debian-12.qcow2"},"tags":["x","y",null]}"#,
            #"{"spec":{"vcpu":2,"image":"debian-12.qcow2"},"tags":["x","y"]}"#,
            #"{"spec":{"vcpus":"2","image":"debian-12.qcow2"},"tags":["x","y"]}"#,
            #"{"spec":{"vcpus":2,"image":"debian-12.qcow2"},"tags":{"x":"y"}}"#,
        ]
        var hashes: Set<UInt64> = [base.contentHash]
        for text in variants { hashes.insert(try Value(json: text).contentHash) }
        #expect(hashes.count == variants.count + 1)
        // Swapping a key with its value, or values between keys, changes the hash too.
        #expect(Value.object(["a": "b"]).contentHash != Value.object(["b": "a"]).contentHash)
        #expect(Value.object(["a": 1, "b": 2]).contentHash != Value.object(["a": 2, "b": 1]).contentHash)
        #expect(Value.array([]).contentHash != Value.emptyObject.contentHash)
        #expect(Value.string("").contentHash != Value.null.contentHash)
    }

    /// `Value`'s `Hashable` is built on the content hash: sets and dictionaries of values find
    /// equal values however they were built.
    @Test func setsAndDictionariesOfValuesFindEqualValues() throws {
        let a = try Value(json: #"{"kind":"VM","spec":{"vcpus":2,"tags":["x"]},"n":1}"#)
        let b = try Value(json: #"{"n":1.0,"spec":{"tags":["x"],"vcpus":2},"kind":"VM"}"#)
        let values: Set<Value> = [a, b, 1, 1.0, "1", "a long string of more than sixteen bytes", "a long string of more than sixteen bytes"]
        #expect(values.count == 4)
        var byValue: [Value: Int] = [a: 1]
        byValue[b, default: 0] += 1
        #expect(byValue == [a: 2])
        #expect(a.hashValue == b.hashValue)
    }

    @Test func stringsOfEveryLengthAreHashedWhole() {
        // Lengths around the eight-byte steps: a change in any byte changes the hash.
        for length in 0...20 {
            let text = String(repeating: "a", count: length)
            var seen: Set<UInt64> = [Value.string(text).contentHash]
            for position in 0..<length {
                var bytes = Array(text.utf8)
                bytes[position] = UInt8(ascii: "b")
                seen.insert(Value.string(String(decoding: bytes, as: UTF8.self)).contentHash)
            }
            #expect(seen.count == length + 1, "length \(length)")
        }
    }
}

@Suite struct TimestampTests {
    static let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    @Test func formatsExactlyAsFoundationDoes() {
        var generator = SeededRandom(seed: 7)
        var dates = [0, 0.0004, 0.9999, 951_782_400, 951_868_799.999, 4_107_542_400, 253_402_300_799.5, -1, -86_400.25, 253_402_300_800]
            .map { Date(timeIntervalSince1970: $0) }
        for index in 0..<20_000 {
            let seconds =
                index.isMultiple(of: 2)
                ? Double(Int64.random(in: 0...253_402_300_799_999, using: &generator)) / 1000  // whole milliseconds, as stored
                : Double.random(in: 0...4_200_000_000, using: &generator)
            dates.append(Date(timeIntervalSince1970: seconds))
        }
        for date in dates {
            #expect(Timestamp.format(date) == date.formatted(Self.foundation), "\(date.timeIntervalSince1970)")
        }
    }

    /// A hair before a whole second, the fraction rounds to 1 and its milliseconds to 1000: the
    /// one place we part from Foundation, which writes `59.1000Z` there.
    @Test func aFractionJustUnderOneSecondStaysInItsSecond() {
        #expect(Timestamp.format(Date(timeIntervalSinceReferenceDate: -1e-17)) == "2000-12-31T23:59:59.999Z")
        #expect(Timestamp.format(Date(timeIntervalSinceReferenceDate: 7.0.nextDown)) == "2001-01-01T00:00:06.999Z")
    }

    @Test func leapDaysAndCenturies() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 4_107_542_400)) == "2100-03-01T00:00:00.000Z")
        #expect(Timestamp.parse(Timestamp.format(Date(timeIntervalSince1970: 1_764_433_320.5))) == Date(timeIntervalSince1970: 1_764_433_320.5))
    }
}
