import Foundation

/// CartPole-v1 with gymnasium's dynamics (Euler integration, τ = 0.02 s, terminated past ±12°
/// or ±2.4 m, truncated at 500 steps, reward 1 per step, start state uniform in ±0.05).
public struct CartPole: Sendable {
    static let gravity = 9.8, cartMass = 1.0, poleMass = 0.1, halfLength = 0.5, forceMagnitude = 10.0, tau = 0.02
    static let thetaLimit = 12 * 2 * Double.pi / 360, xLimit = 2.4, maxSteps = 500

    public internal(set) var state = [0.0, 0.0, 0.0, 0.0]
    public private(set) var stepCount = 0
    var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    public mutating func reset() -> [Double] {
        state = (0..<4).map { _ in random.nextUnit() * 0.1 - 0.05 }
        stepCount = 0
        return state
    }

    /// Pushes left (0) or right (1); returns the new state, the reward, and whether the episode
    /// failed (`terminated`) or ran out of time (`truncated`).
    public mutating func step(_ action: Int) -> (state: [Double], reward: Double, terminated: Bool, truncated: Bool) {
        var (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
        let force = action == 1 ? Self.forceMagnitude : -Self.forceMagnitude
        let cosTheta = cos(theta), sinTheta = sin(theta)
        let totalMass = Self.poleMass + Self.cartMass, poleMassLength = Self.poleMass * Self.halfLength
        let temp = (force + poleMassLength * thetaDot * thetaDot * sinTheta) / totalMass
        let thetaAcc =
            (Self.gravity * sinTheta - cosTheta * temp)
            / (Self.halfLength * (4.0 / 3.0 - Self.poleMass * cosTheta * cosTheta / totalMass))
        let xAcc = temp - poleMassLength * thetaAcc * cosTheta / totalMass
        x += Self.tau * xDot
        xDot += Self.tau * xAcc
        theta += Self.tau * thetaDot
        thetaDot += Self.tau * thetaAcc
        state = [x, xDot, theta, thetaDot]
        stepCount += 1
        let terminated = x < -Self.xLimit || x > Self.xLimit || theta < -Self.thetaLimit || theta > Self.thetaLimit
        return (state, 1, terminated, !terminated && stepCount >= Self.maxSteps)
    }
}
