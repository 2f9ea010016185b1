import NovaCore

/// A stream of events schedules can fire on. Each event is an object of fields (the control
/// plane's have `sequence`, `type`, `kind`, `name`, `phase`, `actor`); a schedule's `on` names
/// the fields that must match.
public protocol TriggerSource: Sendable {
    func triggerEvents() -> any AsyncSequence<Value, Never> & Sendable
}
