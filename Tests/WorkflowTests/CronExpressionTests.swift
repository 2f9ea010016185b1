import Foundation
import Testing

@testable import Workflow

@Suite struct CronExpressionTests {
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    func iso(_ date: Date?) -> String { date.map { ISO8601DateFormatter().string(from: $0) } ?? "nil" }

    @Test(arguments: [
        ("*/15 * * * *", "2026-01-01T00:07:00Z", "2026-01-01T00:15:00Z"),
        ("0 9 * * MON-FRI", "2026-01-02T10:00:00Z", "2026-01-05T09:00:00Z"),
        ("30 4 1,15 * *", "2026-01-02T00:00:00Z", "2026-01-15T04:30:00Z"),
        ("0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("@hourly", "2026-01-01T00:59:59Z", "2026-01-01T01:00:00Z"),
        ("*/10 * * * * *", "2026-01-01T00:00:01Z", "2026-01-01T00:00:10Z"),
        ("0 12 13 * 5", "2026-02-01T00:00:00Z", "2026-02-06T12:00:00Z"),
        ("0 0 * JAN,JUL 0", "2026-01-05T00:00:00Z", "2026-01-11T00:00:00Z"),
    ])
    func nextFire(expression: String, after: String, expected: String) throws {
        #expect(iso(try CronExpression(expression).next(after: date(after))) == expected)
    }

    @Test func aTimeSkippedBySpringForwardFiresOnceAtTheJump() throws {
        // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC).
        let cron = try CronExpression("30 2 * * *", timeZone: "Europe/Berlin")
        let fires = cron.times(after: date("2026-03-27T12:00:00Z"), through: date("2026-03-30T12:00:00Z"))
        #expect(fires.map(iso) == ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"])
    }

    @Test func aTimeRepeatedByFallBackFiresOnceButHourlyJobsFireEveryHour() throws {
        // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens twice.
        let daily = try CronExpression("30 2 * * *", timeZone: "Europe/Berlin")
        #expect(daily.times(after: date("2026-10-24T12:00:00Z"), through: date("2026-10-25T12:00:00Z")).map(iso) == ["2026-10-25T00:30:00Z"])
        let hourly = try CronExpression("30 * * * *", timeZone: "Europe/Berlin")
        let fires = hourly.times(after: date("2026-10-24T23:45:00Z"), through: date("2026-10-25T02:45:00Z")).map(iso)
        #expect(fires == ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z"], "02:30 CEST, 02:30 CET, 03:30 CET")
    }

    @Test func newYorkDailyKeepsItsWallClockTime() throws {
        let cron = try CronExpression("0 9 * * *", timeZone: "America/New_York")
        #expect(iso(cron.next(after: date("2026-03-07T15:00:00Z"))) == "2026-03-08T13:00:00Z", "EDT from 2026-03-08")
        #expect(iso(cron.next(after: date("2026-03-06T15:00:00Z"))) == "2026-03-07T14:00:00Z", "still EST")
    }

    @Test(arguments: ["* * * *", "61 * * * *", "* * * * MOO", "5-1 * * * *", "*/0 * * * *"])
    func rejectsBadExpressions(expression: String) {
        #expect(throws: StepError.self) { try CronExpression(expression) }
    }

    @Test func rejectsUnknownTimeZones() {
        #expect(throws: StepError.self) { try CronExpression("0 * * * *", timeZone: "Mars/Olympus") }
    }
}
