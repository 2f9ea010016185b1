import FoundationEssentials
import NovaCore
import Testing

@Suite struct DeterminismTests {
    @Test func seededRandomRepeats() {
        var a = SeededRandom(seed: 99), b = SeededRandom(seed: 99), c = SeededRandom(seed: 100)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test func manualClockMovesOnlyWhenTold() {
        let clock = ManualClock()
        let start = clock.now
        clock.advance(by: 90)
        #expect(clock.now.timeIntervalSince(start) == 90)
    }

    @Test func sequentialIDs() {
        let ids = SequentialIDGenerator(prefix: "x")
        #expect([ids.makeID(), ids.makeID()] == ["x-1", "x-2"])
    }
}
