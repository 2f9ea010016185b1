import ControlPlane
import NovaCore

/// Refuses VMs labelled env=prod without disk encryption; warns about SSH root login.
public struct ProdEncryptionRule: AdmissionController {
    public let name = "prod-encryption"

    public init() {}

    public func admit(_ request: AdmissionRequest) async throws -> AdmissionResponse {
        guard let resource = request.resource, resource.kind == .vm else { return .allowed }
        var response = AdmissionResponse()
        if resource.metadata.labels["env"] == "prod", resource.spec["security"]?["diskEncryption"] != true {
            response.denials.append(Diagnostic(code: "policy", message: "production VMs need encrypted disks", path: "spec.security.diskEncryption"))
        }
        if resource.spec["security"]?["sshRootLogin"] == true {
            response.warnings.append(Diagnostic(code: "policy", message: "SSH root login is on", severity: .warning))
        }
        return response
    }
}
