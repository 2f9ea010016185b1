import Foundation

/// A source of randomness that can be seeded, so runs can be replayed.
public protocol RandomSource: RandomNumberGenerator, Sendable {}

/// SplitMix64: small, fast, and the same sequence for the same seed on every platform.
public struct SeededRandom: RandomSource {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        defer { state &+= 0x9E37_79B9_7F4A_7C15 }
        return splitMix64(state)
    }

    /// A uniform double in [0, 1).
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextGaussian() -> Double {
        let u1 = max(nextUnit(), .leastNonzeroMagnitude)
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// A generator derived from this seed and a stream of words, independent of call order.
    public static func derived(seed: UInt64, _ words: [UInt64]) -> SeededRandom {
        var mixer = SeededRandom(seed: seed)
        var state = mixer.next()
        for word in words {
            mixer = SeededRandom(seed: state ^ word)
            state = mixer.next()
        }
        return SeededRandom(seed: state)
    }
}

/// SplitMix64's output for a state: a strong 64-bit mix (every input bit affects every output
/// bit), also what `Value.contentHash` combines with.
@inline(__always)
func splitMix64(_ state: UInt64) -> UInt64 {
    var z = state &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// The operating system's randomness.
public struct SystemRandom: RandomSource {
    private var generator = SystemRandomNumberGenerator()
    public init() {}
    public mutating func next() -> UInt64 { generator.next() }
}
