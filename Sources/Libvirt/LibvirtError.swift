import CLibvirt
import NovaCore

/// Turns libvirt's thread-local last error into a `NovaError` carrying libvirt's code and message.
enum LibvirtError {
    /// libvirt prints every error to stderr unless told otherwise; NovaCron reports them itself.
    static let silenceDefaultHandler: Void = {
        virSetErrorFunc(nil) { _, _ in }
    }()

    /// The last error libvirt recorded on this thread, for `operation`.
    ///
    /// The error is read before `operation` is evaluated: describing the operation may call
    /// libvirt again (an object's name), and every libvirt call clears the thread's last error.
    static func last(_ operation: @autoclosure () -> String) -> NovaError {
        guard let error = virGetLastError() else {
            return NovaError(.infrastructure, "libvirt: \(operation()) failed without saying why")
        }
        let code = Int(error.pointee.code)
        let message = error.pointee.message.map { String(cString: $0) } ?? "no message"
        virResetLastError()
        return make(code: code, message: message, operation: operation())
    }

    static func make(code: Int, message: String, operation: String) -> NovaError {
        let novaCode: ErrorCode
        var retryable = false
        switch code {
        case Int(VIR_ERR_NO_DOMAIN.rawValue), Int(VIR_ERR_NO_NETWORK.rawValue), Int(VIR_ERR_NO_STORAGE_POOL.rawValue),
            Int(VIR_ERR_NO_STORAGE_VOL.rawValue):
            novaCode = .notFound
        case Int(VIR_ERR_DOM_EXIST.rawValue), Int(VIR_ERR_NETWORK_EXIST.rawValue), Int(VIR_ERR_STORAGE_VOL_EXIST.rawValue):
            novaCode = .alreadyExists
        case Int(VIR_ERR_NO_CONNECT.rawValue), Int(VIR_ERR_SYSTEM_ERROR.rawValue), Int(VIR_ERR_RPC.rawValue):
            novaCode = .unavailable
            retryable = true
        case Int(VIR_ERR_XML_ERROR.rawValue), Int(VIR_ERR_INVALID_ARG.rawValue):
            novaCode = .invalidRequest
        case Int(VIR_ERR_NO_SUPPORT.rawValue):
            novaCode = .unsupported
        case Int(VIR_ERR_OPERATION_INVALID.rawValue):
            novaCode = .conflict
            retryable = true
        default:
            novaCode = .infrastructure
            retryable = true
        }
        return NovaError(
            novaCode, "libvirt: \(operation): \(message)",
            diagnostics: [Diagnostic(code: "libvirt_error_\(code)", message: message)], isRetryable: retryable)
    }

    /// Whether libvirt's error says the object does not exist.
    static func isMissing(_ error: NovaError) -> Bool { error.code == .notFound }

    /// The result of a libvirt lookup: the handle, nil when libvirt says there is no such object,
    /// or the error for any other failure.
    static func lookup<Handle>(
        _ pointer: OpaquePointer?, _ operation: @autoclosure () -> String,
        wrap: (OpaquePointer) -> Handle
    ) throws -> Handle? {
        guard let pointer else {
            let error = last(operation())
            if isMissing(error) { return nil }
            throw error
        }
        return wrap(pointer)
    }
}
