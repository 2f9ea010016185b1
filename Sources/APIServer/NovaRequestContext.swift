import ControlPlane
import Hummingbird

/// Per-request state: the authenticated principal, once the auth middleware has found it.
public struct NovaRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// Request bodies up to 16 MiB: a large apply batch fits, a runaway upload does not.
    public var maxUploadSize: Int { 16 * 1024 * 1024 }
}
