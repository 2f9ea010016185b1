import NovaCore

/// A problem (or warning) reported to Terraform, optionally pointing at an attribute, which
/// Terraform then underlines in the user's configuration.
struct TerraformDiagnostic: Sendable, Equatable {
    enum Severity: Sendable { case error, warning }

    var severity: Severity
    var summary: String
    var detail: String
    var attribute: AttributePath?

    static func error(_ summary: String, _ detail: String = "", at attribute: AttributePath? = nil) -> TerraformDiagnostic {
        TerraformDiagnostic(severity: .error, summary: summary, detail: detail, attribute: attribute)
    }

    static func warning(_ summary: String, _ detail: String = "", at attribute: AttributePath? = nil) -> TerraformDiagnostic {
        TerraformDiagnostic(severity: .warning, summary: summary, detail: detail, attribute: attribute)
    }
}

/// Diagnostics thrown as one error, so resource code can stop at the first fatal problem and
/// still report all it collected.
struct DiagnosticsError: Error {
    var diagnostics: [TerraformDiagnostic]
}
