import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Bounds what connections may hold, before any key is checked: at most `perAddress`
/// connections from one address and `total` in all (a connection past either is closed at
/// once), a connection's first request head must arrive within `headerTimeout` (a slowloris
/// client that dribbles headers is cut off), and each later one within `idleTimeout` of the
/// previous response ending (kinder to clients' keep-alive pools).
public struct ConnectionLimits: Sendable {
    public var total = 2_048
    public var perAddress = 256
    public var headerTimeout: TimeAmount = .seconds(10)
    public var idleTimeout: TimeAmount = .seconds(60)

    public init() {}
}

/// The open connections, by remote address.
final class ConnectionRegistry: Sendable {
    let limits: ConnectionLimits
    private let slots: KeyedSlots

    init(limits: ConnectionLimits) {
        self.limits = limits
        slots = KeyedSlots(total: limits.total, perKey: limits.perAddress)
    }

    /// Takes a slot for `address`; false when either bound is reached.
    func admit(_ address: String) -> Bool { slots.take(address) }

    func release(_ address: String) { slots.give(address) }
}

/// One connection's share of the limits (see `ConnectionLimits`).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let registry: ConnectionRegistry
    private var address: String?
    private var deadline: Scheduled<Void>?

    init(registry: ConnectionRegistry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if address == nil { start(context) }
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        let remote = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard registry.admit(remote) else {
            context.close(promise: nil)
            return
        }
        address = remote
        armDeadline(context, after: registry.limits.headerTimeout)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        if let address { registry.release(address) }
        address = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { armDeadline(context, after: registry.limits.idleTimeout) }
        context.write(data, promise: promise)
    }

    private func armDeadline(_ context: ChannelHandlerContext, after timeout: TimeAmount) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
